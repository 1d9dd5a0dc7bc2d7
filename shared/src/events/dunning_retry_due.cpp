#include "qrfleet/events/dunning_retry_due.h"

#include "qrfleet/event_id.h"
#include "qrfleet/events/payload_reader.h"

namespace qrfleet::events {

namespace {
// Namespace of the dunning steps' event ids (a fixed v4 UUID chosen once).
constexpr std::string_view kDunningNamespace = "0c6f3d52-9b1e-4a7d-8f24-5e0a91c7b3d8";
}  // namespace

DunningRetryDue DunningRetryDue::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<DunningRetryDue>(e);
  r.onlyFields({"provider", "invoiceId", "subscriptionId", "customerId", "step"});
  DunningRetryDue d;
  d.provider = r.string("provider", 1, 32);
  d.invoiceId = r.string("invoiceId", 1, 255);
  d.subscriptionId = r.string("subscriptionId", 1, 255);
  d.customerId = r.string("customerId", 1, 128);
  d.step = static_cast<int>(r.integer("step", 1, 100));
  return d;
}

nlohmann::json DunningRetryDue::toPayload() const {
  return {{"provider", provider},
          {"invoiceId", invoiceId},
          {"subscriptionId", subscriptionId},
          {"customerId", customerId},
          {"step", step}};
}

std::string DunningRetryDue::name() const {
  return "dunning:" + provider + ":" + invoiceId + ":" + std::to_string(step);
}

Envelope DunningRetryDue::toEnvelope(const std::string& source, std::int64_t timestampMs) const {
  Envelope e;
  e.eventId = uuidV5(kDunningNamespace, name());
  e.eventType = type;
  e.version = 1;
  e.timestampMs = timestampMs;
  e.source = source;
  e.tenantId = customerId;
  e.payload = toPayload();
  return e;
}

}  // namespace qrfleet::events
