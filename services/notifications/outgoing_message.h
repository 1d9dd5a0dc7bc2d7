#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "message_template.h"
#include "qrfleet/events/notification_requested.h"

namespace qrfleet::notify {

// One notification, rendered and addressed, as a provider is asked to deliver it.
struct OutgoingMessage {
  std::string notificationId;
  std::string recipientId;
  std::string channel;
  std::string priority;
  events::RecipientAddress address;
  RenderedMessage content;
  nlohmann::json data = nlohmann::json::object();  // push: the data map
  std::optional<std::int64_t> expiresAtMs;
};

}  // namespace qrfleet::notify
