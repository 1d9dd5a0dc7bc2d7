#include <doctest/doctest.h>

#include "stripe_event_normalizer.h"

using namespace qrfleet::webhook;
using qrfleet::events::PaymentEvent;

namespace {

// Stripe Event objects as Stripe sends them (trimmed of fields we do not read).
constexpr const char* kChargeSucceeded = R"({
  "id": "evt_3OqChargeSucceeded", "object": "event", "api_version": "2023-10-16", "created": 1710000000,
  "livemode": false, "pending_webhooks": 1, "type": "charge.succeeded",
  "data": {"object": {
    "id": "ch_3OqCharge", "object": "charge", "amount": 2000, "amount_captured": 2000, "currency": "usd",
    "customer": "cus_PqCustomer", "invoice": "in_1OqInvoice", "paid": true, "status": "succeeded",
    "metadata": {"customerId": "cust-42"},
    "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242", "fingerprint": "Xt5EWLLDS7FJjR1c"}},
    "failure_code": null, "failure_message": null}}})";

constexpr const char* kChargeFailed = R"({
  "id": "evt_3OqChargeFailed", "object": "event", "created": 1710000100, "type": "charge.failed",
  "data": {"object": {
    "id": "ch_3OqFailed", "object": "charge", "amount": 4999, "currency": "eur", "customer": {"id": "cus_Expanded", "object": "customer"},
    "invoice": null, "metadata": {}, "status": "failed",
    "payment_method_details": {"type": "card", "card": {"fingerprint": "Fp0"}},
    "failure_code": "card_declined", "failure_message": "Your card was declined."}}})";

constexpr const char* kChargeRefunded = R"({
  "id": "evt_3OqChargeRefunded", "object": "event", "created": 1710000200, "type": "charge.refunded",
  "data": {"object": {
    "id": "ch_3OqCharge", "object": "charge", "amount": 2000, "amount_refunded": 1500, "currency": "usd",
    "customer": "cus_PqCustomer", "metadata": {"customerId": "cust-42"}, "refunded": false,
    "refunds": {"object": "list", "has_more": false, "data": [
      {"id": "re_3OqSecond", "object": "refund", "amount": 1000, "charge": "ch_3OqCharge", "currency": "usd", "status": "succeeded"},
      {"id": "re_3OqFirst", "object": "refund", "amount": 500, "charge": "ch_3OqCharge", "currency": "usd", "status": "succeeded"}]}}}})";

constexpr const char* kRefundCreated = R"({
  "id": "evt_3OqRefundCreated", "object": "event", "created": 1710000300, "type": "refund.created",
  "data": {"object": {"id": "re_3OqGuest", "object": "refund", "amount": 700, "charge": "ch_3OqGuest",
                      "currency": "gbp", "metadata": {}, "reason": "requested_by_customer", "status": "pending"}}})";

constexpr const char* kDisputeCreated = R"({
  "id": "evt_1OqDispute", "object": "event", "created": 1710000400, "type": "charge.dispute.created",
  "data": {"object": {"id": "dp_1OqDispute", "object": "dispute", "amount": 2000, "charge": "ch_3OqCharge",
                      "currency": "usd", "metadata": {"customerId": "cust-42"}, "reason": "fraudulent",
                      "status": "needs_response"}}})";

constexpr const char* kSubscriptionUpdated = R"({
  "id": "evt_1OqSubUpdated", "object": "event", "created": 1710000500, "type": "customer.subscription.updated",
  "data": {"object": {
    "id": "sub_1OqSub", "object": "subscription", "customer": "cus_PqCustomer", "status": "active",
    "cancel_at_period_end": true, "currency": "usd",
    "current_period_start": 1709000000, "current_period_end": 1711600000, "metadata": {"customerId": "cust-42"},
    "items": {"object": "list", "data": [{"id": "si_1", "object": "subscription_item",
      "price": {"id": "price_1OqPro", "object": "price", "currency": "usd", "unit_amount": 1900, "recurring": {"interval": "month"}}}]},
    "plan": {"id": "price_1OqPro", "object": "plan", "amount": 1900, "currency": "usd"}},
   "previous_attributes": {"cancel_at_period_end": false}}})";

constexpr const char* kSubscriptionDeleted = R"({
  "id": "evt_1OqSubDeleted", "object": "event", "created": 1710000600, "type": "customer.subscription.deleted",
  "data": {"object": {"id": "sub_1OqSub", "object": "subscription", "customer": "cus_PqCustomer", "status": "canceled",
                      "plan": {"id": "plan_Legacy", "object": "plan", "amount": 990, "currency": "usd"}}}})";

constexpr const char* kInvoicePaid = R"({
  "id": "evt_1OqInvoicePaid", "object": "event", "created": 1710000700, "type": "invoice.paid",
  "data": {"object": {"id": "in_1OqInvoice", "object": "invoice", "amount_due": 1900, "amount_paid": 1900,
                      "attempt_count": 1, "currency": "usd", "customer": "cus_PqCustomer",
                      "subscription": "sub_1OqSub", "status": "paid"}}})";

constexpr const char* kInvoicePaymentFailed = R"({
  "id": "evt_1OqInvoiceFailed", "object": "event", "created": 1710000800, "type": "invoice.payment_failed",
  "data": {"object": {"id": "in_1OqUnpaid", "object": "invoice", "amount_due": 1900, "amount_paid": 0,
                      "attempt_count": 2, "currency": "usd", "customer": "cus_PqCustomer",
                      "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1OqSub"}},
                      "last_finalization_error": {"code": "card_declined", "message": "The card was declined."}}}})";

NormalizedWebhook normalized(const char* body) { return normalizeStripeEvent("stripe", nlohmann::json::parse(body)); }

PaymentEvent eventOf(const char* body) {
  auto n = normalized(body);
  INFO(n.problem);
  REQUIRE(n.kind == NormalizedWebhook::Kind::event);
  CHECK(n.event.provider == "stripe");
  return n.event;
}

std::string problemOf(nlohmann::json body) {
  auto n = normalizeStripeEvent("stripe", body);
  CHECK(n.kind == NormalizedWebhook::Kind::unprocessable);
  return n.problem;
}

}  // namespace

TEST_CASE("charge.succeeded -> payment.succeeded, the platform's customer id from metadata") {
  auto e = eventOf(kChargeSucceeded);
  CHECK(e.type == "payment.succeeded");
  CHECK(e.providerEventId == "evt_3OqChargeSucceeded");
  CHECK(e.occurredAtMs == 1710000000000);
  CHECK(e.providerObjectId == "ch_3OqCharge");
  CHECK(e.customerId == "cust-42");
  CHECK(e.amount == 2000);
  CHECK(e.currency == "USD");
  CHECK(e.paymentMethodFingerprint == "Xt5EWLLDS7FJjR1c");
  CHECK(e.invoiceId == "in_1OqInvoice");
  CHECK_FALSE(e.failureCode);
  CHECK_FALSE(e.webhook);
}

TEST_CASE("charge.failed -> payment.failed with Stripe's reason; an expanded customer object") {
  auto e = eventOf(kChargeFailed);
  CHECK(e.type == "payment.failed");
  CHECK(e.customerId == "cus_Expanded");
  CHECK(e.currency == "EUR");
  CHECK(e.amount == 4999);
  CHECK(e.failureCode == "card_declined");
  CHECK(e.failureMessage == "Your card was declined.");
  CHECK_FALSE(e.invoiceId);
}

TEST_CASE("charge.refunded is ignored: the same refund comes as refund.created") {
  CHECK(normalized(kChargeRefunded).kind == NormalizedWebhook::Kind::ignored);
  auto withoutRefunds = nlohmann::json::parse(kChargeRefunded);
  withoutRefunds["data"]["object"].erase("refunds");
  CHECK(normalizeStripeEvent("stripe", withoutRefunds).kind == NormalizedWebhook::Kind::ignored);
}

TEST_CASE("refund.created -> payment.refunded; a guest refund is keyed by its charge") {
  auto e = eventOf(kRefundCreated);
  CHECK(e.type == "payment.refunded");
  CHECK(e.providerObjectId == "re_3OqGuest");
  CHECK(e.amount == 700);
  CHECK(e.currency == "GBP");
  CHECK(e.paymentObjectId == "ch_3OqGuest");
  CHECK(e.customerId == "charge:ch_3OqGuest");
}

TEST_CASE("a guest charge is keyed by itself, as its refunds and disputes are") {
  auto body = nlohmann::json::parse(kChargeSucceeded);
  body["data"]["object"]["metadata"] = nlohmann::json::object();
  body["data"]["object"]["customer"] = nullptr;
  auto n = normalizeStripeEvent("stripe", body);
  REQUIRE(n.kind == NormalizedWebhook::Kind::event);
  CHECK(n.event.customerId == "charge:ch_3OqCharge");
}

TEST_CASE("charge.dispute.created -> payment.disputed") {
  auto e = eventOf(kDisputeCreated);
  CHECK(e.type == "payment.disputed");
  CHECK(e.providerObjectId == "dp_1OqDispute");
  CHECK(e.paymentObjectId == "ch_3OqCharge");
  CHECK(e.reason == "fraudulent");
  CHECK(e.amount == 2000);
  CHECK(e.customerId == "cust-42");
}

TEST_CASE("customer.subscription.* -> subscription.changed from the price, or the legacy plan") {
  auto e = eventOf(kSubscriptionUpdated);
  CHECK(e.type == "subscription.changed");
  CHECK(e.change == "updated");
  CHECK(e.providerObjectId == "sub_1OqSub");
  CHECK(e.status == "active");
  CHECK(e.plan == "price_1OqPro");
  CHECK(e.amount == 1900);
  CHECK(e.currency == "USD");
  CHECK(e.currentPeriodStartMs == 1709000000000);
  CHECK(e.currentPeriodEndMs == 1711600000000);
  CHECK(e.cancelAtPeriodEnd == true);

  auto deleted = eventOf(kSubscriptionDeleted);
  CHECK(deleted.change == "canceled");
  CHECK(deleted.status == "canceled");
  CHECK(deleted.plan == "plan_Legacy");
  CHECK(deleted.amount == 990);
  CHECK(deleted.currency == "USD");
  CHECK(deleted.customerId == "cus_PqCustomer");
  CHECK_FALSE(deleted.currentPeriodStartMs);
  CHECK_FALSE(deleted.cancelAtPeriodEnd);

  auto created = nlohmann::json::parse(kSubscriptionUpdated);
  created["type"] = "customer.subscription.created";
  CHECK(normalizeStripeEvent("stripe", created).event.change == "created");

  auto planless = nlohmann::json::parse(kSubscriptionDeleted);
  planless["data"]["object"].erase("plan");
  CHECK(problemOf(planless).find("data.object.items.data[0].price") != std::string::npos);
}

TEST_CASE("invoice.paid and invoice.payment_failed -> invoice.paid and invoice.payment-failed") {
  auto paid = eventOf(kInvoicePaid);
  CHECK(paid.type == "invoice.paid");
  CHECK(paid.providerObjectId == "in_1OqInvoice");
  CHECK(paid.amount == 1900);
  CHECK(paid.subscriptionId == "sub_1OqSub");
  CHECK(paid.customerId == "cus_PqCustomer");

  auto failed = eventOf(kInvoicePaymentFailed);
  CHECK(failed.type == "invoice.payment-failed");
  CHECK(failed.amount == 1900);
  CHECK(failed.attemptCount == 2);
  CHECK(failed.subscriptionId == "sub_1OqSub");  // API 2025-03-31: under parent.subscription_details
  CHECK(failed.failureMessage == "The card was declined.");
}

TEST_CASE("types we do not normalize are ignored, with their event id") {
  auto n = normalizeStripeEvent("stripe", nlohmann::json::parse(
                                              R"({"id": "evt_1", "type": "customer.created", "created": 1710000000,
                                                  "data": {"object": {"id": "cus_1"}}})"));
  CHECK(n.kind == NormalizedWebhook::Kind::ignored);
  CHECK(n.providerEventId == "evt_1");
  CHECK(n.providerType == "customer.created");
  // Even one we could not read: its type is all that decides.
  CHECK(normalizeStripeEvent("stripe", nlohmann::json::parse(R"({"type": "payout.paid"})")).kind ==
        NormalizedWebhook::Kind::ignored);
}

TEST_CASE("a missing or bad field of a normalized type is unprocessable, named by its path") {
  auto charge = nlohmann::json::parse(kChargeSucceeded);
  auto without = [&](const char* field) {
    auto b = charge;
    b["data"]["object"].erase(field);
    return problemOf(b);
  };
  CHECK(without("amount") == "data.object.amount: is missing");
  CHECK(without("currency") == "data.object.currency: is missing");
  CHECK(without("id") == "data.object.id: is missing");
  auto with = [&](const char* field, nlohmann::json value) {
    auto b = charge;
    b["data"]["object"][field] = value;
    return problemOf(b);
  };
  CHECK(with("amount", -1).find("data.object.amount: must be an integer") == 0);
  CHECK(with("amount", 12.5).find("data.object.amount: must be an integer") == 0);
  CHECK(with("amount", "2000").find("data.object.amount: must be an integer") == 0);
  CHECK(with("currency", "US").find("data.object.currency") == 0);
  CHECK(with("currency", "u$d").find("data.object.currency") == 0);
  CHECK(with("id", "").find("data.object.id: must not be empty") == 0);
  CHECK(with("id", std::string(300, 'x')).find("data.object.id: must be at most 255") == 0);
  auto b = charge;
  b.erase("created");
  CHECK(problemOf(b) == "created: is missing");
  b = charge;
  b.erase("id");
  CHECK(problemOf(b) == "id: is missing");
  b = charge;
  b["data"] = nlohmann::json::array();
  CHECK(problemOf(b) == "data: must be an object");
  CHECK(problemOf(nlohmann::json::parse(R"({"id": "evt_1", "created": 1})")) == "type: is missing");

  auto dispute = nlohmann::json::parse(kDisputeCreated);
  dispute["data"]["object"].erase("reason");
  CHECK(problemOf(dispute) == "data.object.reason: is missing");
  auto orphan = nlohmann::json::parse(kDisputeCreated);
  orphan["data"]["object"].erase("charge");
  orphan["data"]["object"]["metadata"] = nlohmann::json::object();
  CHECK(problemOf(orphan).find("data.object.customer: is missing") == 0);
}

TEST_CASE("a long failure message is cut, not refused") {
  auto b = nlohmann::json::parse(kChargeFailed);
  b["data"]["object"]["failure_message"] = std::string(5000, 'm');
  auto n = normalizeStripeEvent("stripe", b);
  REQUIRE(n.kind == NormalizedWebhook::Kind::event);
  CHECK(n.event.failureMessage->size() == 1000);
}
