#include "fraud_velocity.h"

#include <set>

namespace qrfleet::payments {

std::int64_t windowStartOf(std::int64_t atMs, std::int64_t windowMs) {
  auto q = atMs / windowMs;
  if (atMs % windowMs != 0 && atMs < 0) --q;  // floor, also before 1970
  return q * windowMs;
}

std::vector<VelocityKey> velocityKeys(const FailedPayment& f, const VelocityRule& rule) {
  auto window = windowStartOf(f.occurredAtMs, rule.windowMs);
  std::vector<VelocityKey> keys = {{kCustomerRule, f.customerId, window}};
  if (!f.fingerprint.empty()) keys.push_back({kFingerprintRule, f.fingerprint, window});
  return keys;
}

std::map<VelocityKey, std::int64_t> velocityIncrements(const std::vector<FailedPayment>& failures,
                                                       const VelocityRule& rule) {
  std::map<VelocityKey, std::int64_t> out;
  for (const auto& f : failures)
    for (auto& k : velocityKeys(f, rule)) ++out[std::move(k)];
  return out;
}

std::vector<FraudFlag> velocityFlags(const std::vector<FailedPayment>& failures,
                                     const std::map<VelocityKey, std::int64_t>& before, const VelocityRule& rule) {
  std::vector<FraudFlag> out;
  std::map<VelocityKey, std::int64_t> running = before;
  std::set<std::tuple<std::string, std::string, std::int64_t>> flagged;
  for (const auto& f : failures)
    for (const auto& k : velocityKeys(f, rule)) {
      auto count = ++running[k];
      if (count < rule.limit) continue;
      if (!flagged.insert({f.customerId, k.rule, k.windowStartMs}).second) continue;
      out.push_back({f.customerId, k.rule, k.windowStartMs, count, f.occurredAtMs, f.index});
    }
  return out;
}

}  // namespace qrfleet::payments
