#include "webhook_intake.h"

#include "qrfleet/sha256.h"
#include "qrfleet/utf8.h"

namespace qrfleet::webhook {

namespace {
// The envelope source of every payment event the gateway produces.
constexpr const char* kGatewaySource = "webhook-gateway";
// The provider retries after this long: Kafka is usually back within seconds.
constexpr int kRetryAfterSeconds = 5;

IntakeDecision refused(WebhookOutcome outcome, int status, std::string problem) {
  IntakeDecision d;
  d.outcome = outcome;
  d.answer = answerError(status, problem);
  d.problem = std::move(problem);
  return d;
}
}  // namespace

WebhookAnswer answerAcknowledged(const std::string& eventId) {
  return {200, {{"received", true}, {"eventId", eventId}}, std::nullopt};
}

WebhookAnswer answerUnavailable() {
  return {503, {{"error", "the event could not be stored; retry later"}}, kRetryAfterSeconds};
}

WebhookAnswer answerError(int status, const std::string& error) { return {status, {{"error", error}}, std::nullopt}; }

IntakeDecision decideIntake(const WebhookAdapter& adapter, const HeaderLookup& headers, std::string_view body,
                            std::int64_t nowMs, std::size_t maxEventBytes) {
  auto signature = adapter.verify(headers, body, nowMs);
  if (signature != SignatureCheck::valid)
    return refused(WebhookOutcome::badSignature, 400, std::string(signatureProblem(signature)));
  if (!validUtf8(body)) return refused(WebhookOutcome::badBody, 400, "body is not valid UTF-8");
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return refused(WebhookOutcome::badBody, 400, "body is not JSON");
  if (!json.is_object()) return refused(WebhookOutcome::badBody, 400, "body is not a JSON object");

  auto normalized = adapter.normalize(json);
  IntakeDecision d;
  // Signed, but still the provider's text: bounded before it reaches a log line.
  d.providerEventId = utf8Prefix(normalized.providerEventId, 255);
  d.providerType = utf8Prefix(normalized.providerType, 128);
  if (normalized.kind == NormalizedWebhook::Kind::ignored) {
    d.outcome = WebhookOutcome::ignored;
    d.answer = {200, {{"ignored", true}}, std::nullopt};
    return d;
  }
  auto unprocessable = [&](std::string problem) {
    d.outcome = WebhookOutcome::unprocessable;
    d.answer = answerError(422, problem);
    d.problem = std::move(problem);
    return d;
  };
  if (normalized.kind == NormalizedWebhook::Kind::unprocessable) return unprocessable(normalized.problem);

  auto& event = normalized.event;
  event.webhook = events::PaymentEvent::Webhook{nowMs, sha256Hex(body), std::string(body)};
  try {
    auto envelope = event.toEnvelope(kGatewaySource, nowMs);
    // The worker's own decoder: the gateway never acknowledges a webhook
    // whose event the worker would dead-letter. On the envelope in memory,
    // not on its bytes decoded again: JSON is most of a webhook's CPU, and the
    // body (the only text not built here) is checked as UTF-8 before this.
    events::PaymentEvent::fromEnvelope(envelope);
    d.wire = envelope.encode();  // once: these bytes are what is produced
    d.envelope = std::move(envelope);
  } catch (const EventRejected& e) {
    return unprocessable(e.what());
  }
  const auto& wire = d.wire;
  if (wire.size() > maxEventBytes) {
    d.envelope.reset();
    d.outcome = WebhookOutcome::tooLarge;
    d.problem = "the event would be " + std::to_string(wire.size()) + " bytes, more than the " +
                std::to_string(maxEventBytes) + " Kafka takes";
    d.answer = answerError(413, d.problem);
    return d;
  }
  d.outcome = WebhookOutcome::accepted;
  d.key = event.customerId;
  return d;
}

}  // namespace qrfleet::webhook
