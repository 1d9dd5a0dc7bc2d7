#pragma once
#include <optional>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// What became of a notification, on `notification-status` (key recipientId):
// notification.sent, notification.failed or notification.expired, each once
// per notification (its id derives from the notification id).
// Contracts: schemas/events/notification.{sent,failed,expired}.v1.json.
struct NotificationOutcome {
  static constexpr std::string_view sentType = "notification.sent";
  static constexpr std::string_view failedType = "notification.failed";
  static constexpr std::string_view expiredType = "notification.expired";

  std::string notificationId;  // the request's dedupeKey
  std::string recipientId;
  std::string channel;
  std::optional<std::string> provider;
  int attempts = 0;
  std::optional<std::string> providerMessageId;
  std::optional<std::string> error;

  // Any of the three types, version 1.
  static NotificationOutcome fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
