#include "generic_event_normalizer.h"

#include <algorithm>

#include "qrfleet/time_format.h"
#include "webhook_fields.h"

namespace qrfleet::webhook {

namespace {
// What the gateway itself puts in every payload; a body may not set them.
constexpr const char* kGatewayFields[] = {"provider", "providerEventId", "occurredAt", "webhook"};
}  // namespace

NormalizedWebhook normalizeGenericEvent(const std::string& provider, const nlohmann::json& body) {
  NormalizedWebhook out;
  WebhookFields root(body);
  try {
    if (body.is_object() && body.contains("id") && body["id"].is_string()) out.providerEventId = body["id"].get<std::string>();
    out.providerType = root.string("type", 128);
    const auto& types = events::PaymentEvent::types();
    if (std::find(types.begin(), types.end(), out.providerType) == types.end())
      return NormalizedWebhook::ignored(out.providerEventId, out.providerType);
    auto providerEventId = root.string("id");
    auto created = root.string("created", 64);
    auto occurredAtMs = parseRfc3339Millis(created);
    if (!occurredAtMs) root.fail("created", "must be an RFC 3339 date-time");
    root.object("data");  // present and an object
    auto payload = body.at("data");
    for (const char* field : kGatewayFields)
      if (payload.contains(field)) root.fail("data", std::string("must not set '") + field + "': the gateway does");
    payload["provider"] = provider;
    payload["providerEventId"] = providerEventId;
    payload["occurredAt"] = formatRfc3339Millis(*occurredAtMs);
    Envelope candidate;
    candidate.eventType = out.providerType;
    candidate.version = 1;
    candidate.payload = std::move(payload);
    try {
      out.event = events::PaymentEvent::fromEnvelope(candidate);
    } catch (const EventRejected& e) {
      throw UnprocessableWebhook(std::string("data: ") + e.what());
    }
    out.kind = NormalizedWebhook::Kind::event;
  } catch (const UnprocessableWebhook& e) {
    out.kind = NormalizedWebhook::Kind::unprocessable;
    out.problem = e.what();
  }
  return out;
}

}  // namespace qrfleet::webhook
