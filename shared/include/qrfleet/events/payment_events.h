#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// The payment events on `payment-events` (key customerId, 3 partitions, 90
// days): what a payment provider told us, normalized by
// qrfleet-webhook-gateway (or published by the platform's API, which already
// sent payment.succeeded, payment.failed and subscription.changed v1).
// Providers deliver at least once and in any order, so every event names the
// provider's own event id (the de-duplication key) and the provider's event
// time (what orders the changes of one object).
// Contracts: schemas/events/{payment,subscription,invoice}.*.v1.json.
struct PaymentEvent {
  static constexpr std::string_view succeededType = "payment.succeeded";
  static constexpr std::string_view failedType = "payment.failed";
  static constexpr std::string_view refundedType = "payment.refunded";
  static constexpr std::string_view disputedType = "payment.disputed";
  static constexpr std::string_view subscriptionChangedType = "subscription.changed";
  static constexpr std::string_view invoicePaidType = "invoice.paid";
  static constexpr std::string_view invoicePaymentFailedType = "invoice.payment-failed";
  // All seven, version 1.
  static const std::vector<std::string_view>& types();
  static bool supports(int version) { return version == 1; }

  // The raw webhook as received (claim check kept in the event itself: Kafka
  // holds it for the topic's 90 days and the worker files it in
  // payments.webhook_bodies for audit and reprocessing).
  struct Webhook {
    std::int64_t receivedAtMs = 0;
    std::string bodySha256;  // lowercase hex of the exact bytes received
    std::string body;        // the exact bytes, valid UTF-8 (a JSON document)
  };

  std::string type;  // one of types()

  // Every type.
  std::string provider;          // "stripe", or an adapter's name: [a-z0-9_-]{1,32}
  std::string providerEventId;   // unique per provider: the de-duplication key
  std::string providerObjectId;  // the payment, refund, dispute, subscription or invoice
  std::string customerId;        // the Kafka key
  std::int64_t occurredAtMs = 0; // the provider's event time
  std::optional<Webhook> webhook;

  // payment.*, invoice.*: minor units (cents) with an ISO 4217 code.
  // subscription.changed: the plan's price, when known.
  std::optional<std::int64_t> amount;
  std::optional<std::string> currency;  // three upper-case letters

  // payment.succeeded, payment.failed: the card (or account) fingerprint the
  // fraud rules count across providers; what the payment was for.
  std::optional<std::string> paymentMethodFingerprint;
  std::optional<std::string> invoiceId;
  std::optional<std::string> subscriptionId;  // also invoice.*
  // payment.failed, invoice.payment-failed: the provider's reason.
  std::optional<std::string> failureCode;
  std::optional<std::string> failureMessage;

  // payment.refunded, payment.disputed: the payment they take money from
  // (its providerObjectId); payment.disputed's reason.
  std::optional<std::string> paymentObjectId;
  std::optional<std::string> reason;

  // subscription.changed
  std::optional<std::string> change;  // created | updated | canceled
  std::optional<std::string> plan;
  std::optional<std::string> status;  // trialing | active | past_due | canceled | unpaid | incomplete | paused
  std::optional<std::int64_t> currentPeriodStartMs;
  std::optional<std::int64_t> currentPeriodEndMs;
  std::optional<bool> cancelAtPeriodEnd;

  // invoice.payment-failed: the provider's attempt count so far.
  std::optional<int> attemptCount;

  // Any of the seven types, version 1; every field checked as the schema says.
  static PaymentEvent fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
  // An envelope of `type` v1 whose eventId is a function of provider and
  // providerEventId alone, so a provider's redelivery produces the same id.
  Envelope toEnvelope(const std::string& source, std::int64_t timestampMs) const;
};

}  // namespace qrfleet::events
