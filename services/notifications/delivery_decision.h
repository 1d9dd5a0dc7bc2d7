#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quiet_hours.h"
#include "qrfleet/events/notification_requested.h"

namespace qrfleet::notify {

// How a recipient is reached, as the last notification.contact-updated said.
struct Contact {
  events::RecipientAddress address;
  std::optional<std::string> locale;
  std::optional<QuietHours> quiet;
  std::int64_t updatedMs = 0;  // the update's event time: an older update never replaces it
};

struct DeliveryDecision {
  enum class Kind { deliver, defer, expire, fail };
  Kind kind = Kind::deliver;
  std::int64_t dueAtMs = 0;  // defer: when to try again
  std::string reason;        // defer, fail: why
  events::RecipientAddress address;
  std::vector<std::string> locales;  // the template's locales to try, best first; "" (any) last
};

// What to do with a request now, from the request, the recipient's contact
// and `atMs`: the time the request was appended to its topic (Kafka's
// timestamp, so a replay decides the same). Expired requests expire; one due
// later (sendAfter) or a bulk one inside the recipient's quiet hours waits —
// unless `released`, the copy the release task sent when it was due; a
// channel without an address fails. The request's own address parts win over
// the contact's.
DeliveryDecision decideDelivery(const events::NotificationRequested& request, const Contact* contact,
                                std::int64_t atMs, bool released, const std::string& defaultLocale);

}  // namespace qrfleet::notify
