#pragma once
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "fraud_velocity.h"
#include "ledger_entries.h"
#include "payment_state_machine.h"
#include "subscription_ordering.h"

namespace qrfleet::payments {

// A provider's object or event: ids are unique per provider only.
struct ProviderKey {
  std::string provider;
  std::string id;
  friend auto operator<=>(const ProviderKey&, const ProviderKey&) = default;
};

// A provider event the batch claims (webhook_events).
struct WebhookClaim {
  ProviderKey event;  // (provider, providerEventId)
  std::string eventType;
  std::string customerId;
  std::string objectId;
  std::int64_t occurredAtMs = 0;
  std::string envelopeId;
};

struct PaymentRow {
  Payment payment;
  std::string customerId;
  std::optional<std::string> fingerprint, invoiceId, subscriptionId;
  std::int64_t lastEventAtMs = 0;
};

struct TransitionRow {
  ProviderKey event;
  std::string paymentId;
  std::string eventType;
  std::optional<std::string> from;
  std::string to;
  bool applied = false;
  std::int64_t amount = 0;
  std::string currency;
  std::string reason;
  std::int64_t occurredAtMs = 0;
};

struct DunningRow {
  std::string subscriptionId;
  std::string customerId;
  std::string currency;
  std::int64_t amount = 0;
  int step = 0;
  std::optional<std::int64_t> nextAtMs;
  std::string state;  // scheduled | recovered | exhausted | canceled
  std::string startedBy;
  std::string detail;
};

struct DunningStepRow {
  ProviderKey invoice;
  int step = 1;
  std::int64_t dueAtMs = 0;
  bool cancel = false;
};

struct DunningStepResult {
  ProviderKey invoice;
  int step = 1;
  std::int64_t appliedAtMs = 0;
  std::string outcome;
};

struct FraudFlagRow {
  FraudFlag flag;
  ProviderKey event;  // the failure that flagged
};

// The payments schema's SQL. Reads take a batch's keys at once (one query a
// table); writes are collected over the batch and go out in one statement a
// table (unnest), the last row of a key winning.
class PaymentsStore {
 public:
  // Claims each event (webhook_events, outcome pending): the ones returned
  // are new; the rest were delivered before. One INSERT ... ON CONFLICT DO
  // NOTHING RETURNING for the batch.
  static std::set<ProviderKey> claim(pqxx::work& sql, const std::vector<WebhookClaim>& claims);
  // Locks the payments, subscriptions and dunnings the batch names until it
  // commits (advisory locks, so rows not yet written are covered too), in one
  // order for every batch, so two lanes cannot interleave on one entity.
  static void lockEntities(pqxx::work& sql, const std::set<ProviderKey>& payments,
                           const std::set<ProviderKey>& subscriptions, const std::set<ProviderKey>& dunnings);
  // Of these refund and dispute objects (provider, object id), the ones booked in the ledger.
  static std::set<ProviderKey> bookedObjects(pqxx::work& sql, const std::set<ProviderKey>& objects);
  static std::map<ProviderKey, PaymentRow> payments(pqxx::work& sql, const std::set<ProviderKey>& keys);
  static std::map<ProviderKey, Subscription> subscriptions(pqxx::work& sql, const std::set<ProviderKey>& keys);
  static std::map<ProviderKey, DunningRow> dunnings(pqxx::work& sql, const std::set<ProviderKey>& keys);
  // The invoices of `keys` an earlier batch saw paid (invoice.paid applied).
  static std::set<ProviderKey> paidInvoices(pqxx::work& sql, const std::set<ProviderKey>& keys);
  // Adds the increments to fraud_counts (in key order: concurrent batches
  // lock rows in the same order) and returns each key's count before them.
  static std::map<VelocityKey, std::int64_t> countFailures(pqxx::work& sql,
                                                           const std::map<VelocityKey, std::int64_t>& increments);
  // Inserts the flags; returns those that are new (once per customer, rule and window).
  static std::vector<FraudFlagRow> recordFlags(pqxx::work& sql, const std::vector<FraudFlagRow>& flags);

  void outcome(const ProviderKey& event, std::string outcome, std::string detail) {
    outcomes_[event] = {std::move(outcome), std::move(detail)};
  }
  // The event waits (Effects::retryLater): its claim is withdrawn, so its retry is not a duplicate.
  void unclaim(const ProviderKey& event) { unclaimed_.push_back(event); }
  void body(const ProviderKey& event, std::string sha256, std::string body, std::int64_t receivedAtMs) {
    bodies_.push_back({event, std::move(sha256), std::move(body), receivedAtMs});
  }
  void transition(TransitionRow t) { transitions_.push_back(std::move(t)); }
  void ledger(LedgerTransaction t) { ledger_.push_back(std::move(t)); }
  void payment(const ProviderKey& key, const PaymentRow& row) { payments_[key] = row; }
  void subscription(const ProviderKey& key, const Subscription& s) { subscriptions_[key] = s; }
  void dunning(const ProviderKey& key, const DunningRow& d) { dunnings_[key] = d; }
  void step(DunningStepRow s) { steps_.push_back(std::move(s)); }
  void stepDone(DunningStepResult r) { stepResults_.push_back(std::move(r)); }

  // Writes what was collected.
  void flush(pqxx::work& sql);

 private:
  struct Body {
    ProviderKey event;
    std::string sha256, body;
    std::int64_t receivedAtMs;
  };
  std::map<ProviderKey, std::pair<std::string, std::string>> outcomes_;
  std::vector<ProviderKey> unclaimed_;
  std::vector<Body> bodies_;
  std::vector<TransitionRow> transitions_;
  std::vector<LedgerTransaction> ledger_;
  std::map<ProviderKey, PaymentRow> payments_;
  std::map<ProviderKey, Subscription> subscriptions_;
  std::map<ProviderKey, DunningRow> dunnings_;
  std::vector<DunningStepRow> steps_;
  std::vector<DunningStepResult> stepResults_;
};

}  // namespace qrfleet::payments
