#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::payments {

// Where a change stands among a subscription's changes: the provider's event
// time, then the kind of change (created 0 < updated 1 < canceled 2: Stripe
// stamps a subscription's events to the second, and a cancel and the update
// it causes often share one), then the provider's event id, so any two
// changes are ordered the same way whatever order they arrive in.
struct SubscriptionVersion {
  std::int64_t atMs = 0;
  int rank = 0;
  std::string eventId;
  friend auto operator<=>(const SubscriptionVersion&, const SubscriptionVersion&) = default;
  friend bool operator==(const SubscriptionVersion&, const SubscriptionVersion&) = default;
};
// created 0, updated 1, canceled 2 (anything else: updated).
int changeRank(std::string_view change);

// A value and the change that set it.
template <class T>
struct Versioned {
  std::optional<T> value;
  std::optional<SubscriptionVersion> version;  // nullopt: never set
};

struct Price {
  std::int64_t amount = 0;
  std::string currency;
  friend bool operator==(const Price&, const Price&) = default;
};

// A subscription as the worker knows it: each field the value of the newest
// change that carried it, so the result is a function of the set of changes,
// not of their order (the provider's events arrive in any order; changes
// that do not carry a field, such as the worker's own past_due, keep it).
struct Subscription {
  std::string customerId;
  Versioned<std::string> status;  // its version is the subscription's
  Versioned<std::string> plan;
  Versioned<std::int64_t> periodStartMs;
  Versioned<std::int64_t> periodEndMs;
  Versioned<bool> cancelAtPeriodEnd;
  Versioned<Price> price;
  std::string dunningState;  // the worker's own: scheduled | recovered | exhausted | canceled, "" none
};

// One change: a provider's subscription.changed, or the worker's own
// (dunning exhausted: past_due; dunning's cancel: canceled).
struct SubscriptionChange {
  SubscriptionVersion version;
  std::string customerId;
  std::string status;
  std::optional<std::string> plan = {};
  std::optional<std::int64_t> periodStartMs = {};
  std::optional<std::int64_t> periodEndMs = {};
  std::optional<bool> cancelAtPeriodEnd = {};
  std::optional<Price> price = {};
};

struct SubscriptionOutcome {
  // Newer than every change applied before: the subscription's state is this change's.
  bool newer = false;
  std::optional<std::string> fromStatus;
  std::string toStatus;
  // An older change that still supplied fields no newer change had carried
  // (nothing, when every change carries every field).
  std::vector<std::string> filled;
};

// Applies `change` to `s`. An older change (stale) leaves the status alone
// (a canceled subscription is never resurrected by an older update) and
// changes only fields whose stored value is older still.
SubscriptionOutcome applySubscriptionChange(Subscription& s, const SubscriptionChange& change);

}  // namespace qrfleet::payments
