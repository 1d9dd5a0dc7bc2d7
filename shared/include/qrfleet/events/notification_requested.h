#pragma once
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// `notification.requested` (topic notifications, key recipientId): ask the
// notifications service to deliver a message. The envelope's eventId is the
// idempotency key: producers give derived requests deterministic ids.
// Contract: schemas/events/notification.requested.v1.json.
struct NotificationRequested {
  static constexpr std::string_view type = "notification.requested";
  static bool supports(int version) { return version == 1; }

  std::string recipientId;
  std::string channel;   // push | email | sms | in_app
  std::string templateName;  // payload field "template", e.g. booking.offer
  nlohmann::json data = nlohmann::json::object();

  static NotificationRequested fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
