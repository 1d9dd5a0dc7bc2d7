#pragma once
#include <string>

// The Redis keys the platform's API reads (small, per customer).
namespace qrfleet::payments::keys {

// Hash: subscriptionId, subscriptionStatus, plan, dunning, paymentId, paymentState.
inline std::string customer(const std::string& customerId) { return "payments:customer:" + customerId; }
// Hash: rule -> the start of the newest window it flagged the customer in (RFC 3339).
inline std::string fraud(const std::string& customerId) { return "payments:fraud:" + customerId; }

}  // namespace qrfleet::payments::keys
