#include "stripe_event_normalizer.h"

#include <map>

#include "webhook_fields.h"

namespace qrfleet::webhook {

namespace {

using events::PaymentEvent;

// Stripe's `created` is in seconds; this bound (year 5138) keeps the milliseconds in range.
constexpr std::int64_t kMaxUnixSeconds = 100'000'000'000;

std::string stripeCustomer(const WebhookFields& object, bool isCharge) {
  if (auto metadata = object.optionalObject("metadata")) {
    // Metadata is free-form: anything but a usable string falls through to Stripe's own fields.
    try {
      if (auto own = metadata->optionalString("customerId", WebhookFields::kMaxCodeLength)) return *own;
    } catch (const UnprocessableWebhook&) {
    }
  }
  if (auto customer = object.optionalId("customer")) {
    if (customer->size() > WebhookFields::kMaxCodeLength)
      object.fail("customer", "must be at most " + std::to_string(WebhookFields::kMaxCodeLength) + " characters");
    return *customer;
  }
  if (isCharge) return "charge:" + object.string("id");
  if (auto charge = object.optionalId("charge")) return "charge:" + *charge;
  object.fail("customer", "is missing (and there is no metadata.customerId nor charge)");
}

PaymentEvent charge(const WebhookFields& object, bool failed) {
  PaymentEvent e;
  e.type = failed ? PaymentEvent::failedType : PaymentEvent::succeededType;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, true);
  e.amount = object.amount("amount");
  e.currency = object.currency("currency");
  if (auto details = object.optionalObject("payment_method_details"))
    if (auto card = details->optionalObject("card"))
      e.paymentMethodFingerprint = card->optionalString("fingerprint", WebhookFields::kMaxCodeLength);
  e.invoiceId = object.optionalId("invoice");
  if (failed) {
    e.failureCode = object.optionalString("failure_code", WebhookFields::kMaxCodeLength);
    e.failureMessage = object.optionalText("failure_message");
  }
  return e;
}

PaymentEvent refundCreated(const WebhookFields& object) {
  PaymentEvent e;
  e.type = PaymentEvent::refundedType;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, false);
  e.amount = object.amount("amount");
  e.currency = object.currency("currency");
  e.paymentObjectId = object.id("charge");
  return e;
}

PaymentEvent disputeCreated(const WebhookFields& object) {
  PaymentEvent e;
  e.type = PaymentEvent::disputedType;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, false);
  e.amount = object.amount("amount");
  e.currency = object.currency("currency");
  e.paymentObjectId = object.id("charge");
  e.reason = object.string("reason", WebhookFields::kMaxCodeLength);
  return e;
}

std::optional<std::int64_t> optionalMillis(const WebhookFields& fields, const char* field) {
  auto seconds = fields.optionalInteger(field, 0, kMaxUnixSeconds);
  if (!seconds) return std::nullopt;
  return *seconds * 1000;
}

PaymentEvent subscriptionChanged(const WebhookFields& object, const char* change) {
  PaymentEvent e;
  e.type = PaymentEvent::subscriptionChangedType;
  e.change = change;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, false);
  e.status = object.string("status", 32);
  // Prices (items) since 2020, the legacy plan before them; either names the plan.
  auto item = object.optionalFirstOfList("items");
  auto price = item ? item->optionalObject("price") : std::nullopt;
  auto plan = object.optionalObject("plan");
  if (price) {
    e.plan = price->string("id");
    e.amount = price->optionalAmount("unit_amount");
  } else if (plan) {
    e.plan = plan->string("id");
    e.amount = plan->optionalAmount("amount");
  } else {
    object.fail("items.data[0].price", "is missing (and there is no plan)");
  }
  // A price and its currency come together or not at all (a tiered price has no unit amount).
  if (e.amount) {
    e.currency = object.optionalCurrency("currency");
    if (!e.currency && price) e.currency = price->optionalCurrency("currency");
    if (!e.currency && plan) e.currency = plan->optionalCurrency("currency");
    if (!e.currency) e.amount.reset();
  }
  // The billing period moved from the subscription to its items in API version 2025-03-31.
  e.currentPeriodStartMs = optionalMillis(object, "current_period_start");
  e.currentPeriodEndMs = optionalMillis(object, "current_period_end");
  if (item && !e.currentPeriodStartMs) e.currentPeriodStartMs = optionalMillis(*item, "current_period_start");
  if (item && !e.currentPeriodEndMs) e.currentPeriodEndMs = optionalMillis(*item, "current_period_end");
  e.cancelAtPeriodEnd = object.optionalBoolean("cancel_at_period_end");
  return e;
}

std::optional<std::string> invoiceSubscription(const WebhookFields& invoice) {
  if (auto s = invoice.optionalId("subscription")) return s;
  // API version 2025-03-31 moved it to parent.subscription_details.subscription.
  if (auto parent = invoice.optionalObject("parent"))
    if (auto details = parent->optionalObject("subscription_details")) return details->optionalId("subscription");
  return std::nullopt;
}

PaymentEvent invoicePaid(const WebhookFields& object) {
  PaymentEvent e;
  e.type = PaymentEvent::invoicePaidType;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, false);
  e.amount = object.amount("amount_paid");
  e.currency = object.currency("currency");
  e.subscriptionId = invoiceSubscription(object);
  return e;
}

PaymentEvent invoicePaymentFailed(const WebhookFields& object) {
  PaymentEvent e;
  e.type = PaymentEvent::invoicePaymentFailedType;
  e.providerObjectId = object.string("id");
  e.customerId = stripeCustomer(object, false);
  e.amount = object.amount("amount_due");
  e.currency = object.currency("currency");
  e.subscriptionId = invoiceSubscription(object);
  e.attemptCount = static_cast<int>(object.integer("attempt_count", 0, 1000));
  if (auto error = object.optionalObject("last_finalization_error")) e.failureMessage = error->optionalText("message");
  return e;
}

using StripeMapping = std::optional<PaymentEvent> (*)(const WebhookFields& object);

const std::map<std::string, StripeMapping, std::less<>>& stripeMappings() {
  // Not charge.refunded: Stripe reports each refund twice (refund.created, and
  // charge.refunded with the charge), under two event ids and, since the
  // refund names no customer, on two partitions. Booking from both would make
  // which event books it depend on arrival order; refund.created alone says it once.
  static const std::map<std::string, StripeMapping, std::less<>> mappings = {
      {"charge.succeeded", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return charge(o, false); }},
      {"charge.failed", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return charge(o, true); }},
      {"refund.created", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return refundCreated(o); }},
      {"charge.dispute.created", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return disputeCreated(o); }},
      {"customer.subscription.created", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return subscriptionChanged(o, "created"); }},
      {"customer.subscription.updated", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return subscriptionChanged(o, "updated"); }},
      {"customer.subscription.deleted", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return subscriptionChanged(o, "canceled"); }},
      {"invoice.paid", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return invoicePaid(o); }},
      {"invoice.payment_failed", [](const WebhookFields& o) -> std::optional<PaymentEvent> { return invoicePaymentFailed(o); }},
  };
  return mappings;
}

}  // namespace

NormalizedWebhook normalizeStripeEvent(const std::string& provider, const nlohmann::json& body) {
  NormalizedWebhook out;
  WebhookFields root(body);
  try {
    // The id first: even an ignored or unprocessable event is logged under it.
    if (body.is_object() && body.contains("id") && body["id"].is_string()) out.providerEventId = body["id"].get<std::string>();
    out.providerType = root.string("type", 128);
    auto mapping = stripeMappings().find(out.providerType);
    if (mapping == stripeMappings().end()) return NormalizedWebhook::ignored(out.providerEventId, out.providerType);
    auto providerEventId = root.string("id");
    auto createdSeconds = root.integer("created", 1, kMaxUnixSeconds);
    auto object = root.object("data").object("object");
    auto event = mapping->second(object);
    if (!event) return NormalizedWebhook::ignored(out.providerEventId, out.providerType);
    out.event = std::move(*event);
    out.event.provider = provider;
    out.event.providerEventId = providerEventId;
    out.event.occurredAtMs = createdSeconds * 1000;
    out.kind = NormalizedWebhook::Kind::event;
  } catch (const UnprocessableWebhook& e) {
    out.kind = NormalizedWebhook::Kind::unprocessable;
    out.problem = e.what();
  }
  return out;
}

}  // namespace qrfleet::webhook
