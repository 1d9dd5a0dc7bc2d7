#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "subscription_ordering.h"

using namespace qrfleet::payments;

namespace {
SubscriptionChange change(std::int64_t atS, const char* kind, const char* eventId, const char* status,
                          std::optional<std::string> plan = std::nullopt) {
  SubscriptionChange c;
  c.version = {atS * 1000, changeRank(kind), eventId};
  c.customerId = "cus_1";
  c.status = status;
  c.plan = std::move(plan);
  return c;
}

Subscription applyAll(const std::vector<SubscriptionChange>& changes) {
  Subscription s;
  for (const auto& c : changes) applySubscriptionChange(s, c);
  return s;
}

void checkSame(const Subscription& a, const Subscription& b) {
  CHECK(a.customerId == b.customerId);
  CHECK(a.status.value == b.status.value);
  CHECK(a.status.version == b.status.version);
  CHECK(a.plan.value == b.plan.value);
  CHECK(a.plan.version == b.plan.version);
  CHECK(a.periodStartMs.value == b.periodStartMs.value);
  CHECK(a.periodEndMs.value == b.periodEndMs.value);
  CHECK(a.cancelAtPeriodEnd.value == b.cancelAtPeriodEnd.value);
  CHECK(a.price.value == b.price.value);
}
}  // namespace

TEST_CASE("change ranks: created < updated < canceled") {
  CHECK(changeRank("created") < changeRank("updated"));
  CHECK(changeRank("updated") < changeRank("canceled"));
}

TEST_CASE("every order of a subscription's changes ends in the in-order state") {
  auto created = change(100, "created", "evt_a", "trialing", "basic");
  created.periodStartMs = 100000;
  created.periodEndMs = 200000;
  created.price = Price{900, "EUR"};
  auto upgraded = change(150, "updated", "evt_b", "active", "pro");
  upgraded.price = Price{1900, "EUR"};
  upgraded.cancelAtPeriodEnd = false;
  // The same second as the cancel: Stripe's update that the cancel causes.
  auto flagged = change(200, "updated", "evt_z", "active");
  flagged.cancelAtPeriodEnd = true;
  auto canceled = change(200, "canceled", "evt_c", "canceled");
  std::vector<SubscriptionChange> inOrder = {created, upgraded, flagged, canceled};
  auto expected = applyAll(inOrder);
  CHECK(*expected.status.value == "canceled");
  CHECK(*expected.plan.value == "pro");
  CHECK(*expected.cancelAtPeriodEnd.value == true);
  CHECK(expected.price.value->amount == 1900);
  CHECK(*expected.periodEndMs.value == 200000);

  auto permutation = inOrder;
  std::sort(permutation.begin(), permutation.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  int orders = 0;
  do {
    checkSame(applyAll(permutation), expected);
    ++orders;
  } while (std::next_permutation(permutation.begin(), permutation.end(),
                                 [](const auto& a, const auto& b) { return a.version < b.version; }));
  CHECK(orders == 24);
  std::reverse(inOrder.begin(), inOrder.end());
  checkSame(applyAll(inOrder), expected);
}

TEST_CASE("an older change is stale: a canceled subscription is not resurrected") {
  Subscription s;
  auto o = applySubscriptionChange(s, change(200, "canceled", "evt_c", "canceled", "pro"));
  CHECK(o.newer);
  CHECK_FALSE(o.fromStatus.has_value());
  CHECK(o.toStatus == "canceled");
  auto older = applySubscriptionChange(s, change(150, "updated", "evt_b", "active", "basic"));
  CHECK_FALSE(older.newer);
  CHECK(older.filled.empty());
  CHECK(*s.status.value == "canceled");
  CHECK(*s.plan.value == "pro");
  // Same second: a cancel outranks an update whatever their ids.
  auto tie = applySubscriptionChange(s, change(200, "updated", "evt_zzz", "active"));
  CHECK_FALSE(tie.newer);
  CHECK(*s.status.value == "canceled");
}

TEST_CASE("an older change supplies only fields no newer change carried") {
  Subscription s;
  applySubscriptionChange(s, change(300, "updated", "evt_2", "past_due"));  // the worker's own: status only
  auto older = applySubscriptionChange(s, change(100, "created", "evt_1", "active", "pro"));
  CHECK_FALSE(older.newer);
  CHECK(older.filled == std::vector<std::string>{"plan"});
  CHECK(*s.status.value == "past_due");
  CHECK(*s.plan.value == "pro");
  // In order it is the same.
  Subscription t;
  applySubscriptionChange(t, change(100, "created", "evt_1", "active", "pro"));
  applySubscriptionChange(t, change(300, "updated", "evt_2", "past_due"));
  checkSame(s, t);
}

TEST_CASE("a redelivered change changes nothing") {
  Subscription s;
  auto c = change(100, "created", "evt_1", "active", "pro");
  CHECK(applySubscriptionChange(s, c).newer);
  auto again = applySubscriptionChange(s, c);
  CHECK_FALSE(again.newer);
  CHECK(again.filled.empty());
}
