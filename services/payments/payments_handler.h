#pragma once
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "dunning_schedule.h"
#include "fraud_velocity.h"
#include "payments_store.h"
#include "qrfleet/batch_handler.h"
#include "qrfleet/events/dunning_retry_due.h"
#include "qrfleet/events/payment_events.h"
#include "qrfleet/route.h"
#include "qrfleet/runtime_metrics.h"
#include "stripe_billing.h"

namespace qrfleet::payments {

struct PaymentsSettings {
  DunningPolicy dunning;
  std::set<std::string> dunningProviders = {"stripe"};  // providers whose API the dunning can call
  VelocityRule fraud;
  std::string auditTopic = "audit-logs";
  std::string notifyChannel = "email";
  std::string notifyPriority = "normal";
  std::string notifyTopic = "notifications";  // events::notificationTopicFor(notifyPriority) unless told otherwise
};

// qrfleet-payments' one member for payment-events (and its retry topic). Per
// batch: the provider events are claimed in webhook_events (a provider's
// redelivery conflicts and changes nothing); failed payments are counted for
// the fraud rules; then, in offset order over the batch's rows read at once,
// each event is decided by the plain functions (payment state machine,
// subscription ordering, ledger, dunning schedule) and its effects collected:
// rows, ledger entries, notification requests and audit records (emitted
// once, with ids from the provider event), dunning steps made as outside
// calls to Stripe. The batch's customers' Redis keys are then rewritten from
// what the batch left in Postgres.
using PaymentsEvent = std::variant<events::PaymentEvent, events::DunningRetryDue>;

class PaymentsHandler : public BatchHandler {
 public:
  PaymentsHandler(PaymentsSettings settings, StripeBilling& billing, RuntimeMetrics& metrics);
  std::vector<std::string> emitsTo() const override;
  // The seven provider event types and payments.dunning-retry-due, in offset order.
  void onEvents(std::span<const Decoded<PaymentsEvent>> events, Effects& fx);
  void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const override;

 private:
  struct Batch;
  void onPayment(Batch& b, const ConsumedEvent& e, const events::PaymentEvent& p, Effects& fx);
  void onSubscriptionChanged(Batch& b, const ConsumedEvent& e, const events::PaymentEvent& p, Effects& fx);
  void onInvoicePaid(Batch& b, const ConsumedEvent& e, const events::PaymentEvent& p, Effects& fx);
  void onInvoicePaymentFailed(Batch& b, const ConsumedEvent& e, const events::PaymentEvent& p, Effects& fx);
  void onDunningStep(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d, Effects& fx);
  void settleDunning(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d, DunningRow& row,
                     const std::string& state, const std::string& outcome, bool cancelsSubscription, Effects& fx);
  void declinedRetry(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d, DunningRow& row,
                     const std::string& detail, Effects& fx);
  // The worker's own change of a subscription's status (dunning), versioned like the provider's.
  void changeSubscription(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d, const std::string& status,
                          int rank, Effects& fx);
  void flagFraud(Batch& b, const std::vector<const ConsumedEvent*>& failures,
                 const std::vector<const events::PaymentEvent*>& decoded, Effects& fx);

  void audit(const ConsumedEvent& e, const std::string& customerId, const std::string& entity, const std::string& id,
             const std::optional<std::string>& from, const std::string& to, const std::string& provider,
             const std::string& providerEventId, Effects& fx);
  void notify(const ConsumedEvent& e, const std::string& customerId, const std::string& templateName,
              const std::string& cause, nlohmann::json data, Effects& fx);
  void count(std::string_view eventType, const std::string& outcome);

  PaymentsSettings settings_;
  StripeBilling& billing_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& fraudFlags_;
  prometheus::Family<prometheus::Counter>& dunningSteps_;
};

}  // namespace qrfleet::payments
