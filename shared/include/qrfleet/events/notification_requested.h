#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet {
class PayloadReader;
}

namespace qrfleet::events {

// Where a message can reach its recipient; absent parts come from the
// recipient's contact (notification.contact-updated).
struct RecipientAddress {
  std::optional<std::string> email;
  std::optional<std::string> phone;  // E.164
  std::vector<std::string> deviceTokens;
  bool empty() const { return !email && !phone && deviceTokens.empty(); }
  // The fields email, phone, deviceTokens of the object `r` reads (`object` is its JSON).
  static RecipientAddress read(const PayloadReader& r, const nlohmann::json& object);
};

// `notification.requested` (key recipientId): ask the notifications service
// to deliver a message. Topic by priority: notifications-urgent, notifications
// (normal) or notifications-bulk (notificationTopicFor), so an urgent message
// never waits behind a bulk backlog in a partition. The idempotency key is
// `dedupeKey`, by default the envelope's eventId: producers give derived
// requests deterministic ids.
// v1: recipientId, channel, template, data. v2 adds, all optional: the
// address, priority, locale, sendAfter/expiresAt, dedupeKey, and an inline
// subject/body instead of a template. A v1 event reads as a v2 with none set.
// Contracts: schemas/events/notification.requested.v1.json, .v2.json.
struct NotificationRequested {
  static constexpr std::string_view type = "notification.requested";
  static bool supports(int version) { return version == 1 || version == 2; }

  std::string recipientId;
  std::string channel;       // push | email | sms | in_app
  std::string templateName;  // payload field "template", e.g. booking.offer; empty when body is given
  nlohmann::json data = nlohmann::json::object();
  RecipientAddress to = {};
  std::string priority = "normal";  // urgent | normal | bulk
  std::optional<std::string> locale = {};
  std::optional<std::int64_t> sendAfterMs = {};
  std::optional<std::int64_t> expiresAtMs = {};
  std::optional<std::string> dedupeKey = {};
  std::optional<std::string> subject = {};
  std::optional<std::string> body = {};

  static NotificationRequested fromEnvelope(const Envelope& e);
  // v1 while only v1's fields are set (what v1-only consumers read), else v2.
  int version() const;
  nlohmann::json toPayload() const;
};

// The topic a request of `priority` goes to.
std::string notificationTopicFor(std::string_view priority);

}  // namespace qrfleet::events
