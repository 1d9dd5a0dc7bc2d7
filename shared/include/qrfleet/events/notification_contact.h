#pragma once
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/envelope.h"
#include "qrfleet/events/notification_requested.h"

namespace qrfleet::events {

// `notification.contact-updated` (topic notifications, key recipientId): the
// platform's record of how a recipient is reached, replacing the previous one
// whole. Requests that carry no address (every v1 request, location's booking
// offers) are delivered to it. Contract: schemas/events/notification.contact-updated.v1.json.
struct NotificationContactUpdated {
  static constexpr std::string_view type = "notification.contact-updated";
  static bool supports(int version) { return version == 1; }

  std::string recipientId;
  RecipientAddress address;
  std::optional<std::string> locale;
  std::optional<std::string> timeZone;    // IANA, e.g. Europe/Berlin
  std::optional<std::string> quietStart;  // HH:MM local: bulk messages wait until quietEnd
  std::optional<std::string> quietEnd;

  static NotificationContactUpdated fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
