#include "subscription_ordering.h"

namespace qrfleet::payments {

int changeRank(std::string_view change) {
  if (change == "created") return 0;
  if (change == "canceled") return 2;
  return 1;
}

namespace {
// Takes the change's value when the change is newer than the field's.
template <class T>
bool take(Versioned<T>& field, const std::optional<T>& value, const SubscriptionVersion& version) {
  if (!value || (field.version && !(*field.version < version))) return false;
  field.value = *value;
  field.version = version;
  return true;
}
}  // namespace

SubscriptionOutcome applySubscriptionChange(Subscription& s, const SubscriptionChange& c) {
  SubscriptionOutcome out;
  out.fromStatus = s.status.value;
  if (s.customerId.empty()) s.customerId = c.customerId;
  out.newer = take(s.status, std::optional<std::string>(c.status), c.version);
  auto field = [&](bool changed, const char* name) {
    if (changed && !out.newer) out.filled.push_back(name);
  };
  field(take(s.plan, c.plan, c.version), "plan");
  field(take(s.periodStartMs, c.periodStartMs, c.version), "currentPeriodStart");
  field(take(s.periodEndMs, c.periodEndMs, c.version), "currentPeriodEnd");
  field(take(s.cancelAtPeriodEnd, c.cancelAtPeriodEnd, c.version), "cancelAtPeriodEnd");
  field(take(s.price, c.price, c.version), "price");
  out.toStatus = s.status.value.value_or("");
  return out;
}

}  // namespace qrfleet::payments
