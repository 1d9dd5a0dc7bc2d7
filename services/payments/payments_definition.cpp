#include "payments_definition.h"

#include "dunning_task.h"
#include "payments_handler.h"
#include "qrfleet/events/notification_requested.h"

namespace qrfleet {
std::span<const EmbeddedFile> paymentsMigrations();
}

namespace {

constexpr const char* kTopic = "payment-events";

qrfleet::payments::PaymentsSettings readSettings(qrfleet::EnvConfig& c) {
  qrfleet::payments::PaymentsSettings s;
  s.dunning.delays = c.durations("PAYMENTS_DUNNING_DELAYS");
  s.dunning.cancelAfter = c.duration("PAYMENTS_DUNNING_CANCEL_AFTER");
  s.fraud.limit = c.integer("PAYMENTS_FRAUD_FAILED_LIMIT", 1, 1000000);
  s.fraud.windowMs = c.duration("PAYMENTS_FRAUD_WINDOW").count();
  s.auditTopic = c.string("PAYMENTS_AUDIT_TOPIC");
  s.notifyChannel = c.oneOf("PAYMENTS_NOTIFY_CHANNEL", {"email", "sms", "push", "in_app"});
  s.notifyPriority = c.oneOf("PAYMENTS_NOTIFY_PRIORITY", {"urgent", "normal", "bulk"});
  s.notifyTopic = c.string("PAYMENTS_NOTIFICATIONS_TOPIC");
  if (s.notifyTopic.empty()) s.notifyTopic = qrfleet::events::notificationTopicFor(s.notifyPriority);
  return s;
}

}  // namespace

qrfleet::ServiceDefinition paymentsDefinition() {
  using qrfleet::payments::PaymentsHandler;
  qrfleet::ServiceDefinition d;
  d.name = "payments";
  d.description = "Provider payment events: payments and refunds, subscriptions, a double-entry ledger, dunning of "
                  "unpaid invoices, fraud flags; a provider's redelivery changes nothing";
  d.consumerGroup = "payments";
  // A refund or dispute whose payment is not known yet, and a dunning step
  // the provider did not answer, come back through payment-events-retry
  // (RETRY_TOPIC_ATTEMPTS, RETRY_TOPIC_DELAYS_MS).
  qrfleet::FailurePolicy failures;
  failures.retryTopic = true;
  d.routes = {qrfleet::route(kTopic, "customerId", &PaymentsHandler::onEvents, failures)};
  d.postgresSchema = "payments";
  d.redisPrefix = "payments";
  d.migrations = qrfleet::paymentsMigrations();
  // Clock times, not functions of the events; emitted_at is the dunning
  // task's (which does not run in a replay: the steps it sent are in the log).
  d.volatileColumns = {"payments.created_at", "payments.updated_at", "subscriptions.updated_at", "dunning.updated_at",
                       "dunning_steps.emitted_at"};
  // The card-fingerprint rule counts across partitions: which of a card's
  // customers crosses the limit depends on how partitions interleaved, so a
  // replay could flag others. Flags are decisions taken live (an audit, like
  // the records they emitted): a replay keeps them and adds none it finds flagged already.
  d.keptTables = {"fraud_flags"};
  d.interleavingDependentKeys = {"fraud:*"};
  d.options = {
      {"PAYMENTS_DUNNING_DELAYS",
       "waits before the retries of an unpaid subscription invoice, comma-separated (units s, m, h, d): the first "
       "after the invoice's failure, each next after the retry before it was declined",
       "1d,3d,5d"},
      {"PAYMENTS_DUNNING_CANCEL_AFTER", "how long after the last declined retry the subscription is canceled", "7d"},
      {"PAYMENTS_DUNNING_INTERVAL_MS", "how often due dunning steps are sent", "5000"},
      {"PAYMENTS_STRIPE_API_URL", "Stripe's API (the dunning's invoice retries and cancels)", "https://api.stripe.com"},
      {"PAYMENTS_STRIPE_API_KEY", "Stripe secret key for the dunning's calls (unset: they fail and are retried)", "",
       true},
      {"PAYMENTS_STRIPE_TIMEOUT_MS", "timeout of one call to Stripe", "10000"},
      {"PAYMENTS_FRAUD_FAILED_LIMIT", "failed payments in one window, per customer or per card fingerprint, that flag "
                                      "the customer",
       "5"},
      {"PAYMENTS_FRAUD_WINDOW", "the fraud rule's window (units s, m, h, d), aligned to the epoch, by event time", "1h"},
      {"PAYMENTS_AUDIT_TOPIC", "topic of the payments.state-changed audit records", "audit-logs"},
      {"PAYMENTS_NOTIFY_CHANNEL", "channel of the customer notifications (email, sms, push, in_app)", "email"},
      {"PAYMENTS_NOTIFY_PRIORITY", "priority of the customer notifications (urgent, normal, bulk)", "normal"},
      {"PAYMENTS_NOTIFICATIONS_TOPIC",
       "topic of the notification requests (empty: the priority's, notifications-urgent, notifications or "
       "notifications-bulk)",
       ""},
  };
  using qrfleet::payments::StripeBilling;
  d.shareAcrossLanes<StripeBilling>(
      [](qrfleet::ServiceContext& ctx) {
        auto& c = ctx.config;
        qrfleet::payments::StripeSettings stripe;
        stripe.apiUrl = c.url("PAYMENTS_STRIPE_API_URL", {"http", "https"});
        while (stripe.apiUrl.ends_with("/")) stripe.apiUrl.pop_back();
        stripe.apiKey = c.string("PAYMENTS_STRIPE_API_KEY");
        stripe.timeout = c.millis("PAYMENTS_STRIPE_TIMEOUT_MS", 100, 120000);
        return std::make_unique<StripeBilling>(std::move(stripe), ctx.outside.http());
      },
      [](qrfleet::ServiceContext& ctx, StripeBilling& billing) -> std::unique_ptr<qrfleet::BatchHandler> {
        return std::make_unique<PaymentsHandler>(readSettings(ctx.config), billing, ctx.metrics);
      });
  d.makeTasks = [](qrfleet::ServiceContext& ctx) {
    // The due steps go back to the route's topic, under whatever name KAFKA_TOPICS gave it.
    return std::vector<qrfleet::PeriodicTask>{qrfleet::payments::dunningDueTask(
        ctx.config.millis("PAYMENTS_DUNNING_INTERVAL_MS", 100, 3600000), 100, ctx.service.routes.front().topic)};
  };
  return d;
}
