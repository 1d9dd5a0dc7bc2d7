#include "payments_handler.h"

#include "customer_view.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/events/payment_state_changed.h"
#include "qrfleet/money.h"
#include "qrfleet/time_format.h"

namespace qrfleet::payments {

namespace {
using events::PaymentEvent;

constexpr std::string_view kSource = "qrfleet-payments";
// Namespaces of the follow-ups' ids (fixed v4 UUIDs chosen once): a function
// of the provider event (or dunning step) and what the follow-up is about, so
// a re-run, a retry copy and a redelivery under another envelope id all emit
// the same ids.
constexpr std::string_view kAuditNamespace = "4a1e7c93-2f6b-4d08-9e35-b1c2d7a0f846";
constexpr std::string_view kNotifyNamespace = "d25b8e04-7a39-4c61-8f1d-3e9c6a2b0f57";

bool isPayment(const PaymentEvent& p) {
  return p.type == PaymentEvent::succeededType || p.type == PaymentEvent::failedType ||
         p.type == PaymentEvent::refundedType || p.type == PaymentEvent::disputedType;
}

ProviderKey paymentKeyOf(const PaymentEvent& p) {
  bool takesMoney = p.type == PaymentEvent::refundedType || p.type == PaymentEvent::disputedType;
  return {p.provider, takesMoney ? p.paymentObjectId.value_or("") : p.providerObjectId};
}

PaymentChange changeOf(const PaymentEvent& p) {
  if (p.type == PaymentEvent::succeededType) return PaymentChange::succeed;
  if (p.type == PaymentEvent::failedType) return PaymentChange::fail;
  if (p.type == PaymentEvent::refundedType) return PaymentChange::refund;
  return PaymentChange::dispute;
}

std::optional<std::string> stateText(const std::optional<PaymentState>& s) {
  if (!s) return std::nullopt;
  return std::string(stateName(*s));
}

// One key per attempt of a step: Stripe answers a repeated key with the
// response it saved (a 500 included) for 24 hours, so a retried attempt needs
// its own. A crash before the outcome is recorded repeats the same attempt,
// hence the same key, and Stripe does not charge twice.
std::string dunningStepKey(const events::DunningRetryDue& d, int attempt) {
  return "dunning-" + d.invoiceId + "-" + std::to_string(d.step) + "-" + std::to_string(attempt);
}
}  // namespace

// What one batch works on: the rows its events name, as the events before
// the one at hand left them, and what it will write.
struct PaymentsHandler::Batch {
  std::map<ProviderKey, PaymentRow> payments;
  std::map<ProviderKey, Subscription> subscriptions;
  std::map<ProviderKey, DunningRow> dunnings;
  std::set<ProviderKey> paidInvoices;
  // Refunds and disputes booked (provider, their object id): Stripe reports one
  // refund in two events (refund.created and charge.refunded).
  std::set<ProviderKey> bookedObjects;
  PaymentsStore store;
  std::map<std::string, const ConsumedEvent*> lastOfCustomer;  // whose Redis writes the customer's keys are
};

PaymentsHandler::PaymentsHandler(PaymentsSettings settings, StripeBilling& billing, RuntimeMetrics& metrics)
    : settings_(std::move(settings)),
      billing_(billing),
      events_(metrics.counters("qrfleet_payments_events_total",
                               "Payment events by type and outcome (applied, rejected, stale, duplicate-object, "
                               "ignored, duplicate, waiting)")),
      fraudFlags_(metrics.counters("qrfleet_payments_fraud_flags_total", "Customers a fraud rule flagged, by rule")),
      dunningSteps_(metrics.counters("qrfleet_payments_dunning_total",
                                     "Dunning by outcome (started, recovered, retry-failed, exhausted, canceled)")) {}

std::vector<std::string> PaymentsHandler::emitsTo() const {
  return {settings_.auditTopic, settings_.notifyTopic};
}

void PaymentsHandler::count(std::string_view eventType, const std::string& outcome) {
  events_.Add({{"event_type", std::string(eventType)}, {"outcome", outcome}}).Increment();
}

void PaymentsHandler::onEvents(std::span<const Decoded<PaymentsEvent>> events, Effects& fx) {
  struct Item {
    const ConsumedEvent* event;
    const PaymentEvent* payment;
    const events::DunningRetryDue* step;
  };
  std::vector<Item> items;
  items.reserve(events.size());
  std::set<ProviderKey> paymentKeys, subscriptionKeys, dunningKeys, takesMoneyKeys;
  for (const auto& e : events) {
    if (const auto* d = std::get_if<events::DunningRetryDue>(&e.data)) {
      dunningKeys.insert({d->provider, d->invoiceId});
      subscriptionKeys.insert({d->provider, d->subscriptionId});
      items.push_back({e.event, nullptr, d});
      continue;
    }
    const auto& p = std::get<PaymentEvent>(e.data);
    if (isPayment(p)) paymentKeys.insert(paymentKeyOf(p));
    if (p.type == PaymentEvent::refundedType || p.type == PaymentEvent::disputedType)
      takesMoneyKeys.insert({p.provider, p.providerObjectId});
    if (p.type == PaymentEvent::subscriptionChangedType) subscriptionKeys.insert({p.provider, p.providerObjectId});
    if (p.type == PaymentEvent::invoicePaidType || p.type == PaymentEvent::invoicePaymentFailedType) {
      dunningKeys.insert({p.provider, p.providerObjectId});
      if (p.subscriptionId) subscriptionKeys.insert({p.provider, *p.subscriptionId});
    }
    items.push_back({e.event, &p, nullptr});
  }
  if (items.empty()) return;

  auto& sql = fx.sql();
  // A payment's refund can come back through the retry topic while its other
  // events are applied in another lane or replica: the rows this batch reads
  // and rewrites are locked until it commits.
  PaymentsStore::lockEntities(sql, paymentKeys, subscriptionKeys, dunningKeys);
  Batch b;
  // Read before this batch claims its events: an invoice's payment seen in
  // this batch counts in offset order below, whatever the batch boundaries.
  b.dunnings = PaymentsStore::dunnings(sql, dunningKeys);
  b.paidInvoices = PaymentsStore::paidInvoices(sql, dunningKeys);
  for (const auto& [key, d] : b.dunnings) subscriptionKeys.insert({key.provider, d.subscriptionId});
  b.payments = PaymentsStore::payments(sql, paymentKeys);
  b.subscriptions = PaymentsStore::subscriptions(sql, subscriptionKeys);
  b.bookedObjects = PaymentsStore::bookedObjects(sql, takesMoneyKeys);

  // The de-duplication: the first delivery of each provider event in the
  // batch claims it; a claim that conflicts was delivered before.
  std::vector<WebhookClaim> claims;
  std::map<ProviderKey, const ConsumedEvent*> firstOf;
  for (const auto& item : items) {
    if (!item.payment) continue;
    const auto& p = *item.payment;
    ProviderKey key{p.provider, p.providerEventId};
    if (!firstOf.emplace(key, item.event).second) continue;
    claims.push_back({key, p.type, p.customerId, p.providerObjectId, p.occurredAtMs, item.event->envelope.eventId});
  }
  auto fresh = PaymentsStore::claim(sql, claims);
  auto isFresh = [&](const Item& item) {
    ProviderKey key{item.payment->provider, item.payment->providerEventId};
    return fresh.count(key) && firstOf[key] == item.event;
  };

  // Failed payments count towards the fraud rules whatever else they do.
  std::vector<const ConsumedEvent*> failures;
  std::vector<const PaymentEvent*> failed;
  for (const auto& item : items)
    if (item.payment && item.payment->type == PaymentEvent::failedType && isFresh(item)) {
      failures.push_back(item.event);
      failed.push_back(item.payment);
    }
  flagFraud(b, failures, failed, fx);

  for (const auto& item : items) {
    const auto& e = *item.event;
    if (item.step) {
      b.lastOfCustomer[item.step->customerId] = &e;
      onDunningStep(b, e, *item.step, fx);
      continue;
    }
    const auto& p = *item.payment;
    if (!isFresh(item)) {
      fx.duplicate(e);
      count(p.type, "duplicate");
      continue;
    }
    if (!isPayment(p)) b.lastOfCustomer[p.customerId] = &e;
    if (p.webhook) b.store.body({p.provider, p.providerEventId}, p.webhook->bodySha256, p.webhook->body, p.webhook->receivedAtMs);
    if (isPayment(p)) onPayment(b, e, p, fx);
    else if (p.type == PaymentEvent::subscriptionChangedType) onSubscriptionChanged(b, e, p, fx);
    else if (p.type == PaymentEvent::invoicePaidType) onInvoicePaid(b, e, p, fx);
    else onInvoicePaymentFailed(b, e, p, fx);
  }
  b.store.flush(sql);

  // The customers' Redis keys, as the batch left their rows.
  std::vector<std::string> customers;
  for (const auto& [customer, e] : b.lastOfCustomer) customers.push_back(customer);
  for (const auto& view : readCustomerViews(sql, &customers)) {
    auto redis = fx.redis(*b.lastOfCustomer.at(view.customerId));
    for (auto& command : customerCommands(view)) redis.command(std::move(command));
  }
}

void PaymentsHandler::onPayment(Batch& b, const ConsumedEvent& e, const PaymentEvent& p, Effects& fx) {
  const ProviderKey event{p.provider, p.providerEventId};
  const auto key = paymentKeyOf(p);
  const auto change = changeOf(p);
  const auto amount = p.amount.value_or(0);
  const auto currency = p.currency.value_or("");
  auto known = b.payments.find(key);
  // A refund's or dispute's own object names no customer at Stripe: the
  // payment's row does, and its customer is the one the money belongs to.
  const std::string customer =
      known != b.payments.end() && !known->second.customerId.empty() ? known->second.customerId : p.customerId;
  const bool takesMoney = change == PaymentChange::refund || change == PaymentChange::dispute;
  // Until its payment is known, a refund's customer is only a stand-in (charge:<id>): no Redis view of it.
  if (!takesMoney || known != b.payments.end()) b.lastOfCustomer[customer] = &e;
  if (takesMoney && b.bookedObjects.count({p.provider, p.providerObjectId})) {
    TransitionRow again{event, key.id, p.type, std::nullopt, change == PaymentChange::refund ? "refunded" : "disputed",
                        false, amount, currency,
                        p.providerObjectId + " is booked already (another event of the same object)", p.occurredAtMs};
    if (known != b.payments.end()) {
      again.to = std::string(stateName(known->second.payment.state));
      again.from = again.to;
    }
    b.store.transition(again);
    b.store.outcome(event, "duplicate-object", again.reason);
    count(p.type, "duplicate-object");
    return;
  }
  auto t = decidePaymentTransition(known == b.payments.end() ? nullptr : &known->second.payment, change, amount,
                                   currency);
  TransitionRow row{event, key.id, p.type, stateText(t.from), std::string(stateName(t.target)), false, amount,
                    currency, t.reason, p.occurredAtMs};
  using Verdict = PaymentTransition::Verdict;
  switch (t.verdict) {
    case Verdict::waitForPayment:
      // Its payment's success may still be on its way (another partition, a
      // retry): wait for it, through the retry topic, and give up on the last attempt.
      if (!fx.lastAttempt(e)) {
        fx.retryLater(e, "payment " + key.id + ": " + t.reason);
        b.store.unclaim(event);
        count(p.type, "waiting");
        return;
      }
      b.store.transition(row);
      b.store.outcome(event, "rejected", t.reason);
      count(p.type, "rejected");
      return;
    case Verdict::duplicateObject:
      b.store.transition(row);
      b.store.outcome(event, "duplicate-object", t.reason);
      count(p.type, "duplicate-object");
      return;
    case Verdict::rejected:
      b.store.transition(row);
      b.store.outcome(event, "rejected", t.reason);
      count(p.type, "rejected");
      return;
    case Verdict::applied: break;
  }
  auto& payment = b.payments[key];
  if (payment.customerId.empty()) payment.customerId = customer;
  payment.payment = t.after;
  if (change == PaymentChange::succeed || change == PaymentChange::fail) {
    if (p.paymentMethodFingerprint) payment.fingerprint = p.paymentMethodFingerprint;
    if (p.invoiceId) payment.invoiceId = p.invoiceId;
    if (p.subscriptionId) payment.subscriptionId = p.subscriptionId;
  }
  payment.lastEventAtMs = std::max(payment.lastEventAtMs, p.occurredAtMs);
  b.store.payment(key, payment);
  row.applied = true;
  row.reason.clear();
  b.store.transition(row);
  // Money moved: the payment's gross, or this refund's or dispute's (their own object is what a settlement report names).
  // A zero amount (a $0 verification charge) moves nothing: no entries.
  if (change != PaymentChange::fail && amount > 0) {
    auto kind = change == PaymentChange::succeed  ? LedgerKind::payment
                : change == PaymentChange::refund ? LedgerKind::refund
                                                  : LedgerKind::dispute;
    b.store.ledger(ledgerTransactionFor(kind, p.provider, p.providerEventId, customer, currency, p.providerObjectId,
                                        amount, p.occurredAtMs));
  }
  if (takesMoney) b.bookedObjects.insert({p.provider, p.providerObjectId});
  audit(e, customer, "payment", key.id, stateText(t.from), std::string(stateName(t.target)), p.provider,
        p.providerEventId, fx);
  b.store.outcome(event, "applied", "");
  count(p.type, "applied");
}

void PaymentsHandler::onSubscriptionChanged(Batch& b, const ConsumedEvent& e, const PaymentEvent& p, Effects& fx) {
  const ProviderKey event{p.provider, p.providerEventId};
  const ProviderKey key{p.provider, p.providerObjectId};
  SubscriptionChange change{{p.occurredAtMs, changeRank(p.change.value_or("updated")), p.providerEventId},
                            p.customerId,
                            p.status.value_or(""),
                            p.plan,
                            p.currentPeriodStartMs,
                            p.currentPeriodEndMs,
                            p.cancelAtPeriodEnd,
                            std::nullopt};
  if (p.amount && p.currency) change.price = Price{*p.amount, *p.currency};
  auto& s = b.subscriptions[key];
  auto before = s.status.version;
  auto o = applySubscriptionChange(s, change);
  if (o.newer || !o.filled.empty()) b.store.subscription(key, s);
  if (o.newer) {
    audit(e, p.customerId, "subscription", key.id, o.fromStatus, o.toStatus, p.provider, p.providerEventId, fx);
    b.store.outcome(event, "applied", "");
    count(p.type, "applied");
    return;
  }
  std::string detail = "older than the subscription's change " + (before ? before->eventId : std::string("?"));
  if (!o.filled.empty()) {
    detail += "; supplied";
    for (const auto& f : o.filled) detail += " " + f;
  }
  b.store.outcome(event, "stale", detail);
  count(p.type, "stale");
}

void PaymentsHandler::onInvoicePaid(Batch& b, const ConsumedEvent& e, const PaymentEvent& p, Effects& fx) {
  const ProviderKey event{p.provider, p.providerEventId};
  const ProviderKey invoice{p.provider, p.providerObjectId};
  b.paidInvoices.insert(invoice);
  nlohmann::json data = {{"invoiceId", p.providerObjectId}, {"amount", p.amount.value_or(0)},
                         {"currency", p.currency.value_or("")}, {"paidAt", formatRfc3339Millis(p.occurredAtMs)}};
  if (p.subscriptionId) data["subscriptionId"] = *p.subscriptionId;
  notify(e, p.customerId, "payment.receipt", p.provider + "\n" + p.providerEventId, data, fx);
  std::string detail;
  if (auto d = b.dunnings.find(invoice);
      d != b.dunnings.end() && (d->second.state == "scheduled" || d->second.state == "exhausted")) {
    auto& row = d->second;
    auto from = row.state;
    row.state = "recovered";
    row.nextAtMs.reset();
    row.detail = "paid (" + p.providerEventId + ")";
    b.store.dunning(invoice, row);
    if (auto s = b.subscriptions.find({p.provider, row.subscriptionId}); s != b.subscriptions.end()) {
      s->second.dunningState = "recovered";
      b.store.subscription(s->first, s->second);
    }
    audit(e, p.customerId, "dunning", invoice.id, from, "recovered", p.provider, p.providerEventId, fx);
    dunningSteps_.Add({{"outcome", "recovered"}}).Increment();
    detail = "dunning recovered";
  }
  b.store.outcome(event, "applied", detail);
  count(p.type, "applied");
}

void PaymentsHandler::onInvoicePaymentFailed(Batch& b, const ConsumedEvent& e, const PaymentEvent& p, Effects& fx) {
  const ProviderKey event{p.provider, p.providerEventId};
  const ProviderKey invoice{p.provider, p.providerObjectId};
  auto settle = [&](const char* outcome, std::string detail) {
    b.store.outcome(event, outcome, std::move(detail));
    count(p.type, outcome);
  };
  if (!p.subscriptionId) return settle("ignored", "no subscription: no dunning");
  if (!settings_.dunningProviders.count(p.provider)) return settle("ignored", "no dunning for provider " + p.provider);
  if (b.paidInvoices.count(invoice)) return settle("stale", "the invoice was paid");
  if (auto d = b.dunnings.find(invoice); d != b.dunnings.end())
    return settle("duplicate-object",
                  "dunning already " + d->second.state + " (" + std::to_string(d->second.step) + " retries made)");

  auto first = firstDunningStep(settings_.dunning, p.occurredAtMs);
  DunningRow row;
  row.subscriptionId = *p.subscriptionId;
  row.customerId = p.customerId;
  row.currency = p.currency.value_or("");
  row.amount = p.amount.value_or(0);
  row.nextAtMs = first.dueAtMs;
  row.state = "scheduled";
  row.startedBy = p.providerEventId;
  row.detail = p.failureCode.value_or("") + (p.failureMessage ? ": " + *p.failureMessage : "");
  b.dunnings[invoice] = row;
  b.store.dunning(invoice, row);
  b.store.step({invoice, first.step, first.dueAtMs, false});
  auto& s = b.subscriptions[{p.provider, *p.subscriptionId}];
  if (s.customerId.empty()) s.customerId = p.customerId;
  s.dunningState = "scheduled";
  b.store.subscription({p.provider, *p.subscriptionId}, s);
  nlohmann::json data = {{"invoiceId", invoice.id},
                         {"subscriptionId", *p.subscriptionId},
                         {"amount", row.amount},
                         {"currency", row.currency},
                         {"nextAttemptAt", formatRfc3339Millis(first.dueAtMs)}};
  if (p.failureCode) data["failureCode"] = *p.failureCode;
  if (p.failureMessage) data["failureMessage"] = *p.failureMessage;
  notify(e, p.customerId, "payment.failed", p.provider + "\n" + p.providerEventId, data, fx);
  audit(e, p.customerId, "dunning", invoice.id, std::nullopt, "scheduled", p.provider, p.providerEventId, fx);
  dunningSteps_.Add({{"outcome", "started"}}).Increment();
  settle("applied", "dunning scheduled");
}

void PaymentsHandler::onDunningStep(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d, Effects& fx) {
  const ProviderKey invoice{d.provider, d.invoiceId};
  auto it = b.dunnings.find(invoice);
  auto action = it == b.dunnings.end() ? DunningAction::skip : dunningActionFor(it->second.state, it->second.step, d.step);
  if (action == DunningAction::skip) {
    // Sent twice (a task that died between producing and recording), or made unnecessary by a payment.
    fx.duplicate(e);
    count(d.type, "duplicate");
    return;
  }
  auto& row = it->second;
  auto sub = b.subscriptions.find({d.provider, row.subscriptionId});
  if (sub != b.subscriptions.end() && sub->second.status.value == "canceled") {
    // Canceled by the provider (or its customer) meanwhile: nothing left to retry or cancel.
    settleDunning(b, e, d, row, "canceled", "skipped: the subscription is canceled", false, fx);
    return;
  }
  const bool retry = action == DunningAction::retry;
  OutsideStep step;
  step.event = &e;
  step.name = retry ? "stripe:pay-invoice" : "stripe:cancel-subscription";
  step.target = "stripe";
  auto key = dunningStepKey(d, e.attempt);
  if (retry) step.call = [this, id = d.invoiceId, key](const OutsideCall&) { return billing_.payInvoice(id, key); };
  else step.call = [this, id = row.subscriptionId, key](const OutsideCall&) { return billing_.cancelSubscription(id, key); };
  // Dunning steps are rare: each is called on its own, in order with the events around it.
  auto outcome = fx.callOutside(std::span(&step, 1)).front();
  switch (outcome.status) {
    case StepStatus::notCalled:  // a replay, and the live run recorded no final outcome: as it was live
    case StepStatus::failedTransiently:
      // A retry the provider never answered counts as declined (the dunning
      // goes on); the detail leaves out what the failure said, which a replay
      // does not know.
      if (retry && fx.lastAttempt(e)) {
        declinedRetry(b, e, d, row, "no answer from the provider by the last attempt", fx);
        return;
      }
      // Else it comes back through the retry topic (a replay finds that copy
      // in the log). A cancel that cannot be made ends in the dead-letter
      // queue on its last attempt, for an operator to redrive.
      if (outcome.status == StepStatus::failedTransiently) {
        fx.retryLater(e, outcome.detail, outcome.retryAfter);
        count(d.type, "waiting");
      }
      return;
    case StepStatus::succeeded:
      if (!retry) {
        settleDunning(b, e, d, row, "canceled", "canceled", true, fx);
      } else if (outcome.detail == "paid") {
        settleDunning(b, e, d, row, "recovered", "paid", false, fx);
      } else {
        declinedRetry(b, e, d, row, "the invoice is " + outcome.detail, fx);
      }
      return;
    case StepStatus::failedPermanently:
      if (retry) {
        declinedRetry(b, e, d, row, outcome.detail, fx);
      } else if (stripeErrorCode(outcome) == "resource_missing") {
        settleDunning(b, e, d, row, "canceled", "the subscription was gone: " + outcome.detail, true, fx);
      } else {
        fx.reject(e, RejectReason::outsideRefused, "cancel of subscription " + row.subscriptionId + ": " + outcome.detail);
        count(d.type, "rejected");
      }
      return;
  }
}

void PaymentsHandler::settleDunning(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d,
                                    DunningRow& row, const std::string& state, const std::string& outcome,
                                    bool cancelsSubscription, Effects& fx) {
  const ProviderKey invoice{d.provider, d.invoiceId};
  auto from = row.state;
  row.state = state;
  row.step = d.step;
  row.nextAtMs.reset();
  row.detail = outcome;
  b.store.dunning(invoice, row);
  b.store.stepDone({invoice, d.step, e.kafkaTimestampMs, outcome});
  if (cancelsSubscription) {
    changeSubscription(b, e, d, "canceled", changeRank("canceled"), fx);
    notify(e, d.customerId, "subscription.canceled", d.name(),
           {{"subscriptionId", row.subscriptionId}, {"invoiceId", d.invoiceId}}, fx);
  }
  auto& s = b.subscriptions[{d.provider, row.subscriptionId}];
  if (s.customerId.empty()) s.customerId = d.customerId;
  s.dunningState = state;
  b.store.subscription({d.provider, row.subscriptionId}, s);
  audit(e, d.customerId, "dunning", d.invoiceId, from, state, d.provider, d.name(), fx);
  dunningSteps_.Add({{"outcome", state}}).Increment();
  count(d.type, "applied");
}

void PaymentsHandler::declinedRetry(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d,
                                    DunningRow& row, const std::string& detail, Effects& fx) {
  const ProviderKey invoice{d.provider, d.invoiceId};
  // "Now" is the step's append time (Kafka's timestamp): a replay schedules the same.
  auto next = afterDeclinedRetry(settings_.dunning, d.step, e.kafkaTimestampMs);
  row.step = d.step;
  row.nextAtMs = next.dueAtMs;
  row.detail = detail;
  b.store.stepDone({invoice, d.step, e.kafkaTimestampMs, "declined: " + detail});
  b.store.step({invoice, next.step, next.dueAtMs, next.cancel});
  if (!next.cancel) {
    b.store.dunning(invoice, row);
    notify(e, d.customerId, "payment.retry-failed", d.name(),
           {{"invoiceId", d.invoiceId}, {"subscriptionId", row.subscriptionId}, {"amount", row.amount},
            {"currency", row.currency}, {"attempt", d.step}, {"nextAttemptAt", formatRfc3339Millis(next.dueAtMs)}},
           fx);
    dunningSteps_.Add({{"outcome", "retry-failed"}}).Increment();
    count(d.type, "applied");
    return;
  }
  row.state = "exhausted";
  b.store.dunning(invoice, row);
  changeSubscription(b, e, d, "past_due", changeRank("updated"), fx);
  auto& s = b.subscriptions[{d.provider, row.subscriptionId}];
  s.dunningState = "exhausted";
  b.store.subscription({d.provider, row.subscriptionId}, s);
  notify(e, d.customerId, "subscription.past-due", d.name(),
         {{"subscriptionId", row.subscriptionId}, {"invoiceId", d.invoiceId}, {"amount", row.amount},
          {"currency", row.currency}, {"cancelAt", formatRfc3339Millis(next.dueAtMs)}},
         fx);
  audit(e, d.customerId, "dunning", d.invoiceId, std::string("scheduled"), "exhausted", d.provider, d.name(), fx);
  dunningSteps_.Add({{"outcome", "exhausted"}}).Increment();
  count(d.type, "applied");
}

void PaymentsHandler::changeSubscription(Batch& b, const ConsumedEvent& e, const events::DunningRetryDue& d,
                                         const std::string& status, int rank, Effects& fx) {
  const ProviderKey key{d.provider, d.subscriptionId};
  auto& s = b.subscriptions[key];
  auto o = applySubscriptionChange(s, {{e.kafkaTimestampMs, rank, d.name()}, d.customerId, status});
  b.store.subscription(key, s);
  if (o.newer) audit(e, d.customerId, "subscription", key.id, o.fromStatus, o.toStatus, d.provider, d.name(), fx);
}

void PaymentsHandler::flagFraud(Batch& b, const std::vector<const ConsumedEvent*>& failures,
                                const std::vector<const PaymentEvent*>& decoded, Effects& fx) {
  if (failures.empty()) return;
  std::vector<FailedPayment> counted;
  for (std::size_t i = 0; i < decoded.size(); ++i)
    counted.push_back({decoded[i]->customerId, decoded[i]->paymentMethodFingerprint.value_or(""),
                       decoded[i]->occurredAtMs, i});
  auto before = PaymentsStore::countFailures(fx.sql(), velocityIncrements(counted, settings_.fraud));
  std::vector<FraudFlagRow> flags;
  for (auto& f : velocityFlags(counted, before, settings_.fraud))
    flags.push_back({f, {decoded[f.index]->provider, decoded[f.index]->providerEventId}});
  for (const auto& f : PaymentsStore::recordFlags(fx.sql(), flags)) {
    const auto& e = *failures[f.flag.index];
    b.lastOfCustomer[f.flag.customerId] = &e;
    fraudFlags_.Add({{"rule", f.flag.rule}}).Increment();
    audit(e, f.flag.customerId, "fraud", f.flag.customerId, std::nullopt,
          "flagged:" + f.flag.rule + "@" + formatRfc3339Millis(f.flag.windowStartMs).substr(0, 16), f.event.provider,
          f.event.id, fx);
  }
}

void PaymentsHandler::audit(const ConsumedEvent& e, const std::string& customerId, const std::string& entity,
                            const std::string& id, const std::optional<std::string>& from, const std::string& to,
                            const std::string& provider, const std::string& providerEventId, Effects& fx) {
  if (from && *from == to) return;
  events::PaymentStateChanged change{entity, id, from, to, provider, providerEventId};
  auto record = derivedEvent(e.envelope, "audit/" + entity + "/" + id + "/" + to, events::PaymentStateChanged::type,
                             1, change.toPayload(), kSource);
  record.eventId = uuidV5(kAuditNamespace, provider + "\n" + providerEventId + "\n" + entity + "\n" + id + "\n" + to);
  record.tenantId = customerId;
  fx.emitOnce(settings_.auditTopic, customerId, record);
}

void PaymentsHandler::notify(const ConsumedEvent& e, const std::string& customerId, const std::string& templateName,
                             const std::string& cause, nlohmann::json data, Effects& fx) {
  events::NotificationRequested n;
  n.recipientId = customerId;
  n.channel = settings_.notifyChannel;
  n.templateName = templateName;
  // Templates show money as the customer reads it; minor units stay for the rest.
  if (data.contains("amount") && data.contains("currency") && data["currency"].is_string() &&
      data["currency"].get<std::string>().size() == 3)
    data["amountText"] = formatMoney(data["amount"].get<std::int64_t>(), data["currency"].get<std::string>());
  n.data = std::move(data);
  n.priority = settings_.notifyPriority;
  auto id = uuidV5(kNotifyNamespace, templateName + "\n" + cause);
  n.dedupeKey = id;
  auto request = derivedEvent(e.envelope, "notify/" + templateName, events::NotificationRequested::type, n.version(),
                              n.toPayload(), kSource);
  request.eventId = id;
  request.tenantId = customerId;
  fx.emitOnce(settings_.notifyTopic, customerId, request);
}

void PaymentsHandler::rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const {
  for (const auto& view : readCustomerViews(sql, nullptr))
    for (auto& command : customerCommands(view)) redis.add(std::move(command));
}

}  // namespace qrfleet::payments
