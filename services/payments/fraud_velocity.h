#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace qrfleet::payments {

// The velocity rule: more than `limit - 1` failed payments in one window of
// `windowMs` (by the events' own time, so a replay counts the same), per
// customer and per payment-method fingerprint (across customers and
// providers). Windows are fixed, aligned to the Unix epoch (1h: each clock
// hour), so every replica and every replay puts an event in the same one.
struct VelocityRule {
  std::int64_t limit = 5;
  std::int64_t windowMs = 3600 * 1000;
};

inline constexpr const char* kCustomerRule = "failed-per-customer";
inline constexpr const char* kFingerprintRule = "failed-per-fingerprint";

std::int64_t windowStartOf(std::int64_t atMs, std::int64_t windowMs);

// What one failure counts towards.
struct VelocityKey {
  std::string rule;
  std::string subject;  // the customer, or the fingerprint
  std::int64_t windowStartMs = 0;
  friend auto operator<=>(const VelocityKey&, const VelocityKey&) = default;
};

struct FailedPayment {
  std::string customerId;
  std::string fingerprint;  // "" none
  std::int64_t occurredAtMs = 0;
  std::size_t index = 0;    // the caller's: which event it was
};

std::vector<VelocityKey> velocityKeys(const FailedPayment& f, const VelocityRule& rule);

// How many failures each key gains from `failures` (a batch's, in order).
std::map<VelocityKey, std::int64_t> velocityIncrements(const std::vector<FailedPayment>& failures,
                                                       const VelocityRule& rule);

struct FraudFlag {
  std::string customerId;
  std::string rule;
  std::int64_t windowStartMs = 0;
  std::int64_t count = 0;         // the key's count with this failure
  std::int64_t flaggedAtMs = 0;   // the failure's time
  std::size_t index = 0;          // the failure's index
};

// The customers the batch's failures flag, given each key's count before
// them (`before`): a failure whose key reaches the limit with it flags its
// customer, once per customer, rule and window (later failures of a
// fingerprint past the limit flag their own customers too).
std::vector<FraudFlag> velocityFlags(const std::vector<FailedPayment>& failures,
                                     const std::map<VelocityKey, std::int64_t>& before, const VelocityRule& rule);

}  // namespace qrfleet::payments
