#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "qrfleet/envelope.h"

namespace qrfleet::loadgen {

struct NotificationWorkloadOptions {
  std::string channel = "push";  // push | email | sms | in_app
  std::string priority = "normal";
  int recipients = 1000;
  std::string runId;  // in recipient ids and addresses, so runs do not share rate limits or inboxes
};

// notification.requested v2 events with an inline message and the address in
// the request (no contact or template needed), round-robin over recipients,
// stamped with the current time; the eventId is the idempotency key.
class NotificationWorkload {
 public:
  explicit NotificationWorkload(NotificationWorkloadOptions options) : options_(std::move(options)) {}
  // The next event and its Kafka key (the recipientId).
  std::pair<std::string, Envelope> next();

 private:
  NotificationWorkloadOptions options_;
  std::int64_t index_ = 0;
};

}  // namespace qrfleet::loadgen
