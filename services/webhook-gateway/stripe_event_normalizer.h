#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "normalized_webhook.h"

namespace qrfleet::webhook {

// A Stripe Event object {"id": "evt_...", "type": "...", "created": <unix s>,
// "data": {"object": {...}}} as a payment event of `provider`:
//   charge.succeeded, charge.failed          -> payment.succeeded, payment.failed
//   charge.refunded, refund.created          -> payment.refunded (the refund is the object)
//   charge.dispute.created                   -> payment.disputed
//   customer.subscription.created/updated/deleted -> subscription.changed (created/updated/canceled)
//   invoice.paid, invoice.payment_failed     -> invoice.paid, invoice.payment-failed
// Any other type is ignored. The customer (the Kafka key) is the object's
// metadata.customerId when set (the platform's own id), else Stripe's customer,
// else "charge:<id>" of the charge the object is or belongs to, so a guest
// payment, its refunds and disputes share a key and stay in order.
NormalizedWebhook normalizeStripeEvent(const std::string& provider, const nlohmann::json& body);

}  // namespace qrfleet::webhook
