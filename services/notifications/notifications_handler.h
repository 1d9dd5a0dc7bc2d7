#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "channel_delivery.h"
#include "notification_store.h"
#include "qrfleet/batch_handler.h"
#include "qrfleet/events/notification_contact.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/route.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet::notify {

struct NotifySettings {
  std::string statusTopic = "notification-status";
  std::string defaultLocale = "en";
  std::optional<RedisRateLimiter::Limit> recipientLimit;  // per recipient and channel, across replicas
  std::int64_t statusTtlSeconds = 7 * 86400;
  std::int64_t inboxLength = 200;
};

// qrfleet-notifications' one member for its three topics (urgent, normal,
// bulk: the same logic, applied on separate lanes). Per batch, in offset
// order: contacts are recorded; each request is checked against its
// notification's state (a dedupeKey already sent, failed or expired is a
// duplicate), then decided (decideDelivery): expired, deferred (to the
// release task), failed (no address, template error) or delivered: in-app
// into Redis, the rest as outside steps recorded under the notification
// (a copy of the request under another event id is not sent again), pushes
// batched into sendEach calls. Outcomes become the notification's row and
// Redis status, the audit, and one status event each.
using NotifyEvent = std::variant<events::NotificationRequested, events::NotificationContactUpdated>;

class NotificationsHandler : public BatchHandler {
 public:
  NotificationsHandler(NotifySettings settings, ChannelDelivery& delivery, OutsideKit& kit, RuntimeMetrics& metrics);
  std::vector<std::string> emitsTo() const override { return {settings_.statusTopic}; }
  // notifications: requests and contact updates; the urgent and bulk topics: requests.
  void onEvents(std::span<const Decoded<NotifyEvent>> events, Effects& fx);
  void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const override;

 private:
  struct Pending;
  void finish(const ConsumedEvent& e, NotificationRow row, const std::string& eventType, Effects& fx);
  void deliverInApp(Pending& p, Effects& fx);
  void applyOutcome(Pending& p, const StepOutcome& o, Effects& fx);
  StepOutcome callOne(const Pending& p, const OutsideCall& call);
  std::optional<StepOutcome> recipientLimited(const OutgoingMessage& m);
  // The notification's Redis status hash (notify:status:<id>), as HSET and EXPIRE.
  std::vector<std::vector<std::string>> statusHash(const NotificationRow& row) const;

  NotifySettings settings_;
  ChannelDelivery& delivery_;
  OutsideKit& kit_;
  NotificationStore store_;
  prometheus::Family<prometheus::Counter>& outcomes_;
  prometheus::Family<prometheus::Histogram>& queueAge_;
};

}  // namespace qrfleet::notify
