#include "qrfleet/events/notification_status.h"

#include "qrfleet/events/payload_reader.h"

namespace qrfleet::events {

NotificationOutcome NotificationOutcome::fromEnvelope(const Envelope& e) {
  if (e.eventType != sentType && e.eventType != failedType && e.eventType != expiredType)
    throw EventRejected(RejectReason::schemaViolation, e.eventType + " is not a notification outcome");
  if (e.version != 1)
    throw EventRejected(RejectReason::unsupportedVersion, e.eventType + " version " + std::to_string(e.version) +
                                                              " is not supported");
  PayloadReader r(e.payload, e.eventType);
  r.onlyFields({"notificationId", "recipientId", "channel", "provider", "attempts", "providerMessageId", "error"});
  NotificationOutcome o;
  o.notificationId = r.string("notificationId", 1, 200);
  o.recipientId = r.string("recipientId", 1, 128);
  o.channel = r.string("channel", 1, 16);
  if (o.channel != "push" && o.channel != "email" && o.channel != "sms" && o.channel != "in_app")
    r.violation("field 'channel' must be one of push, email, sms, in_app; got '" + o.channel + "'");
  o.provider = r.optionalString("provider", 1, 64);
  o.attempts = static_cast<int>(r.integer("attempts", 0, 1000000));
  o.providerMessageId = r.optionalString("providerMessageId", 1, 500);
  o.error = r.optionalString("error", 0, 1000);
  return o;
}

nlohmann::json NotificationOutcome::toPayload() const {
  nlohmann::json j = {
      {"notificationId", notificationId}, {"recipientId", recipientId}, {"channel", channel}, {"attempts", attempts}};
  if (provider) j["provider"] = *provider;
  if (providerMessageId) j["providerMessageId"] = *providerMessageId;
  if (error) j["error"] = error->substr(0, 1000);
  return j;
}

}  // namespace qrfleet::events
