#include "notifications_definition.h"

#include "notifications_handler.h"
#include "provider_settings.h"
#include "release_task.h"

namespace qrfleet {
std::span<const EmbeddedFile> notificationsMigrations();
}

namespace {

// The urgent and bulk topics carry requests only; contact updates come on `notifications`.
qrfleet::Route requestsOnly(qrfleet::Route r) { return qrfleet::only<qrfleet::events::NotificationRequested>(std::move(r)); }

}  // namespace

qrfleet::ServiceDefinition notificationsDefinition() {
  using qrfleet::notify::NotificationsHandler;
  qrfleet::ServiceDefinition d;
  d.name = "notifications";
  d.description = "Email (SMTP, HTTP API), SMS, push and in-app delivery: templates, provider failover, priorities, "
                  "deferral and quiet hours, exactly one send per notification";
  d.consumerGroup = "notifications";
  // Transient provider failures come back through <topic>-retry (RETRY_TOPIC_ATTEMPTS and _DELAYS_MS,
  // or a provider's Retry-After); the last attempt's failure marks the notification failed.
  qrfleet::FailurePolicy sends;
  sends.retryTopic = true;
  d.routes = {
      // Each priority on a lane of its own: urgent never queues behind normal or bulk, normal never behind bulk.
      requestsOnly(qrfleet::route("notifications-urgent", "recipientId", &NotificationsHandler::onEvents, sends))
          .onOwnLane(),
      qrfleet::route("notifications", "recipientId", &NotificationsHandler::onEvents, sends),
      requestsOnly(qrfleet::route("notifications-bulk", "recipientId", &NotificationsHandler::onEvents, sends))
          .onOwnLane(),
  };
  d.postgresSchema = "notify";
  d.redisPrefix = "notify";
  d.migrations = qrfleet::notificationsMigrations();
  // Apply-time facts, not functions of the events: the template version
  // current when it was rendered, the attempt that settled it (a replay
  // settles it from the ledger on the first), the last transient error.
  d.volatileColumns = {"notifications.template_version", "notifications.attempts", "notifications.error",
                       "notifications.updated_at", "notifications.event_id", "scheduled.emitted_at"};
  // The inbox streams' entry ids are Redis's clock.
  d.interleavingDependentKeys = {"inbox:*"};
  // Templates are the operator's (qrfleet notify templates load); contacts
  // outlive the requests' 3-day topic (updates are applied newest-wins, so a
  // replay over them changes nothing); deliveries are the audit of calls made.
  d.keptTables = {"templates", "contacts", "deliveries"};
  d.options = {
      {"NOTIFY_STATUS_TOPIC", "topic for notification.sent, .failed and .expired", "notification-status"},
      {"NOTIFY_DEFAULT_LOCALE", "the template locale used when neither the request nor the contact names one", "en"},
      {"NOTIFY_RECIPIENT_PER_MINUTE", "messages per recipient and channel per minute, across replicas (0: no limit)", "60"},
      {"NOTIFY_CIRCUIT_FAILURES", "transient failures in a row that open a provider's circuit", "5"},
      {"NOTIFY_CIRCUIT_COOLDOWN_MS", "how long an open circuit skips its provider before one probe", "30000"},
      {"NOTIFY_RELEASE_INTERVAL_MS", "how often deferred notifications that are due are released", "1000"},
      {"NOTIFY_STATUS_TTL_S", "how long a notification's status stays in Redis", "604800"},
      {"NOTIFY_INBOX_LENGTH", "in-app messages kept per recipient", "200"},
  };
  for (auto& o : qrfleet::notify::providerOptions()) d.options.push_back(std::move(o));
  using qrfleet::notify::ChannelDelivery;
  d.shareAcrossLanes<ChannelDelivery>(
      [](qrfleet::ServiceContext& ctx) {
        auto& c = ctx.config;
        qrfleet::CircuitBreaker::Policy circuit;
        circuit.failureThreshold = static_cast<int>(c.integer("NOTIFY_CIRCUIT_FAILURES", 1, 1000));
        circuit.coolDown = c.millis("NOTIFY_CIRCUIT_COOLDOWN_MS", 100, 3600000);
        auto providers = qrfleet::notify::readProviders(c);
        c.finish();  // the clients are built from these values: stop here if any is wrong
        return std::make_unique<ChannelDelivery>(std::move(providers), ctx.outside, circuit);
      },
      [](qrfleet::ServiceContext& ctx, ChannelDelivery& delivery) -> std::unique_ptr<qrfleet::BatchHandler> {
        auto& c = ctx.config;
        qrfleet::notify::NotifySettings s;
        s.statusTopic = c.string("NOTIFY_STATUS_TOPIC");
        s.defaultLocale = c.string("NOTIFY_DEFAULT_LOCALE");
        if (auto perMinute = c.integer("NOTIFY_RECIPIENT_PER_MINUTE", 0, 1000000); perMinute > 0)
          s.recipientLimit = qrfleet::RedisRateLimiter::Limit{static_cast<double>(perMinute) / 60.0,
                                                              static_cast<double>(perMinute)};
        s.statusTtlSeconds = c.integer("NOTIFY_STATUS_TTL_S", 60, 365 * 86400);
        s.inboxLength = c.integer("NOTIFY_INBOX_LENGTH", 1, 100000);
        return std::make_unique<NotificationsHandler>(std::move(s), delivery, ctx.outside, ctx.metrics);
      });
  d.makeTasks = [](qrfleet::ServiceContext& ctx) {
    return std::vector<qrfleet::PeriodicTask>{
        qrfleet::notify::releaseDueTask(ctx.config.millis("NOTIFY_RELEASE_INTERVAL_MS", 100, 3600000), 1000)};
  };
  return d;
}
