#include "qrfleet/events/payment_events.h"

#include <algorithm>

#include "qrfleet/event_id.h"
#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

namespace {

// Namespace of the ids of normalized provider events (a fixed v4 UUID chosen once).
constexpr std::string_view kProviderEventNamespace = "b7e3f0a2-4c1d-4e8b-9a57-3d2c6e1f0b94";
constexpr std::int64_t kMaxAmount = 999'999'999'999;  // minor units; Stripe's own ceiling is far below
constexpr std::size_t kMaxBody = 1024 * 1024;

bool isProviderName(const std::string& s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool isCurrency(const std::string& s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool isLowerHex64(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<bool> optionalBoolean(const PayloadReader& r, const nlohmann::json& payload, const char* field) {
  auto it = payload.find(field);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_boolean()) r.violation(std::string("field '") + field + "' must be a boolean");
  return it->get<bool>();
}

std::optional<std::int64_t> optionalTimestamp(const PayloadReader& r, const nlohmann::json& payload,
                                              const char* field) {
  if (!payload.contains(field)) return std::nullopt;
  return r.timestamp(field);
}

}  // namespace

const std::vector<std::string_view>& PaymentEvent::types() {
  static const std::vector<std::string_view> all = {succeededType,           failedType,     refundedType,
                                                    disputedType,            subscriptionChangedType,
                                                    invoicePaidType,         invoicePaymentFailedType};
  return all;
}

PaymentEvent PaymentEvent::fromEnvelope(const Envelope& e) {
  const auto& all = types();
  if (std::find(all.begin(), all.end(), e.eventType) == all.end())
    throw EventRejected(RejectReason::schemaViolation, e.eventType + " is not a payment event");
  if (e.version != 1)
    throw EventRejected(RejectReason::unsupportedVersion,
                        e.eventType + " version " + std::to_string(e.version) + " is not supported");
  PayloadReader r(e.payload, e.eventType);
  PaymentEvent p;
  p.type = e.eventType;
  const bool payment = p.type == succeededType || p.type == failedType;
  const bool takesMoney = p.type == refundedType || p.type == disputedType;
  const bool subscription = p.type == subscriptionChangedType;
  const bool invoice = p.type == invoicePaidType || p.type == invoicePaymentFailedType;
  const bool failure = p.type == failedType || p.type == invoicePaymentFailedType;

  if (payment)
    r.onlyFields({"provider", "providerEventId", "providerObjectId", "customerId", "occurredAt", "webhook", "amount",
                  "currency", "paymentMethodFingerprint", "invoiceId", "subscriptionId", "failureCode",
                  "failureMessage"});
  else if (takesMoney)
    r.onlyFields({"provider", "providerEventId", "providerObjectId", "customerId", "occurredAt", "webhook", "amount",
                  "currency", "paymentObjectId", "reason"});
  else if (subscription)
    r.onlyFields({"provider", "providerEventId", "providerObjectId", "customerId", "occurredAt", "webhook", "amount",
                  "currency", "change", "plan", "status", "currentPeriodStart", "currentPeriodEnd",
                  "cancelAtPeriodEnd"});
  else
    r.onlyFields({"provider", "providerEventId", "providerObjectId", "customerId", "occurredAt", "webhook", "amount",
                  "currency", "subscriptionId", "attemptCount", "failureCode", "failureMessage"});

  p.provider = r.string("provider", 1, 32);
  if (!isProviderName(p.provider)) r.violation("field 'provider' must match [a-z0-9_-]{1,32}");
  p.providerEventId = r.string("providerEventId", 1, 255);
  p.providerObjectId = r.string("providerObjectId", 1, 255);
  p.customerId = r.string("customerId", 1, 128);
  p.occurredAtMs = r.timestamp("occurredAt");
  if (e.payload.contains("webhook")) {
    auto w = r.object("webhook");
    w.onlyFields({"receivedAt", "bodySha256", "body"});
    Webhook hook;
    hook.receivedAtMs = w.timestamp("receivedAt");
    hook.bodySha256 = w.string("bodySha256", 64, 64);
    if (!isLowerHex64(hook.bodySha256)) r.violation("field 'webhook.bodySha256' must be 64 lowercase hex digits");
    hook.body = w.string("body", 0, kMaxBody);
    p.webhook = std::move(hook);
  }

  if (subscription) {
    p.amount = r.optionalInteger("amount", 0, kMaxAmount);
  } else {
    p.amount = r.integer("amount", 0, kMaxAmount);
  }
  p.currency = subscription ? r.optionalString("currency", 3, 3) : r.string("currency", 3, 3);
  if (p.currency && !isCurrency(*p.currency)) r.violation("field 'currency' must be an ISO 4217 code (e.g. EUR)");
  if (subscription && p.amount.has_value() != p.currency.has_value())
    r.violation("fields 'amount' and 'currency' come together");

  if (payment) {
    p.paymentMethodFingerprint = r.optionalString("paymentMethodFingerprint", 1, 128);
    p.invoiceId = r.optionalString("invoiceId", 1, 255);
  }
  if (payment || invoice) p.subscriptionId = r.optionalString("subscriptionId", 1, 255);
  if (failure) {
    p.failureCode = r.optionalString("failureCode", 1, 128);
    p.failureMessage = r.optionalString("failureMessage", 0, 1000);
  } else if (e.payload.contains("failureCode") || e.payload.contains("failureMessage")) {
    r.violation("fields 'failureCode' and 'failureMessage' belong to failures only");
  }
  if (takesMoney) {
    p.paymentObjectId = r.string("paymentObjectId", 1, 255);
    p.reason = r.optionalString("reason", 1, 128);
  }
  if (subscription) {
    p.change = r.string("change", 1, 16);
    if (*p.change != "created" && *p.change != "updated" && *p.change != "canceled")
      r.violation("field 'change' must be one of created, updated, canceled; got '" + *p.change + "'");
    p.plan = r.optionalString("plan", 1, 255);
    p.status = r.string("status", 1, 32);
    static const std::vector<std::string> statuses = {"trialing", "active",     "past_due",           "canceled",
                                                      "unpaid",   "incomplete", "incomplete_expired", "paused"};
    if (std::find(statuses.begin(), statuses.end(), *p.status) == statuses.end())
      r.violation("field 'status' must be one of trialing, active, past_due, canceled, unpaid, incomplete, "
                  "incomplete_expired, paused; got '" + *p.status + "'");
    p.currentPeriodStartMs = optionalTimestamp(r, e.payload, "currentPeriodStart");
    p.currentPeriodEndMs = optionalTimestamp(r, e.payload, "currentPeriodEnd");
    p.cancelAtPeriodEnd = optionalBoolean(r, e.payload, "cancelAtPeriodEnd");
  }
  if (p.type == invoicePaymentFailedType) {
    if (auto n = r.optionalInteger("attemptCount", 0, 1000)) p.attemptCount = static_cast<int>(*n);
  }
  return p;
}

nlohmann::json PaymentEvent::toPayload() const {
  nlohmann::json j = {{"provider", provider},
                      {"providerEventId", providerEventId},
                      {"providerObjectId", providerObjectId},
                      {"customerId", customerId},
                      {"occurredAt", formatRfc3339Millis(occurredAtMs)}};
  if (webhook)
    j["webhook"] = {{"receivedAt", formatRfc3339Millis(webhook->receivedAtMs)},
                    {"bodySha256", webhook->bodySha256},
                    {"body", webhook->body}};
  if (amount) j["amount"] = *amount;
  if (currency) j["currency"] = *currency;
  auto put = [&j](const char* name, const std::optional<std::string>& v) {
    if (v) j[name] = *v;
  };
  put("paymentMethodFingerprint", paymentMethodFingerprint);
  put("invoiceId", invoiceId);
  put("subscriptionId", subscriptionId);
  put("failureCode", failureCode);
  put("failureMessage", failureMessage);
  put("paymentObjectId", paymentObjectId);
  put("reason", reason);
  put("change", change);
  put("plan", plan);
  put("status", status);
  if (currentPeriodStartMs) j["currentPeriodStart"] = formatRfc3339Millis(*currentPeriodStartMs);
  if (currentPeriodEndMs) j["currentPeriodEnd"] = formatRfc3339Millis(*currentPeriodEndMs);
  if (cancelAtPeriodEnd) j["cancelAtPeriodEnd"] = *cancelAtPeriodEnd;
  if (attemptCount) j["attemptCount"] = *attemptCount;
  return j;
}

Envelope PaymentEvent::toEnvelope(const std::string& source, std::int64_t timestampMs) const {
  Envelope e;
  e.eventId = uuidV5(kProviderEventNamespace, provider + "\n" + providerEventId);
  e.eventType = type;
  e.version = 1;
  e.timestampMs = timestampMs;
  e.source = source;
  e.tenantId = customerId;
  e.payload = toPayload();
  return e;
}

}  // namespace qrfleet::events
