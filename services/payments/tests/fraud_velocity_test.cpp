#include <doctest/doctest.h>

#include "fraud_velocity.h"

using namespace qrfleet::payments;

namespace {
constexpr std::int64_t kHour = 3600 * 1000;
VelocityRule rule(std::int64_t limit) { return {limit, kHour}; }
FailedPayment failure(const char* customer, const char* fingerprint, std::int64_t atMs, std::size_t index) {
  return {customer, fingerprint, atMs, index};
}
}  // namespace

TEST_CASE("windows are aligned to the epoch") {
  CHECK(windowStartOf(0, kHour) == 0);
  CHECK(windowStartOf(kHour - 1, kHour) == 0);
  CHECK(windowStartOf(kHour, kHour) == kHour);
  CHECK(windowStartOf(5 * kHour + 17, kHour) == 5 * kHour);
  CHECK(windowStartOf(-1, kHour) == -kHour);
}

TEST_CASE("the failure that reaches the limit flags its customer, once per rule and window") {
  std::vector<FailedPayment> failures;
  for (std::size_t i = 0; i < 7; ++i) failures.push_back(failure("cus_1", "", 10 * kHour + static_cast<std::int64_t>(i), i));
  auto flags = velocityFlags(failures, {}, rule(5));
  REQUIRE(flags.size() == 1);
  CHECK(flags[0].customerId == "cus_1");
  CHECK(flags[0].rule == kCustomerRule);
  CHECK(flags[0].index == 4);
  CHECK(flags[0].count == 5);
  CHECK(flags[0].windowStartMs == 10 * kHour);
}

TEST_CASE("counts before the batch carry on; another window starts again") {
  auto increments = velocityIncrements({failure("cus_1", "", 10 * kHour, 0)}, rule(5));
  CHECK(increments.size() == 1);
  std::map<VelocityKey, std::int64_t> before = {{{kCustomerRule, "cus_1", 10 * kHour}, 4}};
  auto flags = velocityFlags({failure("cus_1", "", 10 * kHour + 5, 0), failure("cus_1", "", 11 * kHour, 1)}, before,
                             rule(5));
  REQUIRE(flags.size() == 1);
  CHECK(flags[0].index == 0);
  CHECK(flags[0].count == 5);
  // Already past the limit before the batch: the next failure flags (the store keeps it once).
  std::map<VelocityKey, std::int64_t> past = {{{kCustomerRule, "cus_1", 10 * kHour}, 9}};
  CHECK(velocityFlags({failure("cus_1", "", 10 * kHour, 0)}, past, rule(5)).size() == 1);
  // Four in one hour and one in the next do not flag.
  std::vector<FailedPayment> split;
  for (std::size_t i = 0; i < 4; ++i) split.push_back(failure("cus_1", "", 10 * kHour + static_cast<std::int64_t>(i), i));
  split.push_back(failure("cus_1", "", 11 * kHour, 4));
  CHECK(velocityFlags(split, {}, rule(5)).empty());
}

TEST_CASE("a fingerprint counts across customers and flags each customer that fails with it past the limit") {
  std::vector<FailedPayment> failures = {failure("cus_1", "fp_x", 10 * kHour, 0), failure("cus_2", "fp_x", 10 * kHour + 1, 1),
                                         failure("cus_3", "fp_x", 10 * kHour + 2, 2), failure("cus_4", "fp_x", 10 * kHour + 3, 3),
                                         failure("cus_1", "fp_y", 10 * kHour + 4, 4)};
  auto increments = velocityIncrements(failures, rule(3));
  CHECK(increments.at({kFingerprintRule, "fp_x", 10 * kHour}) == 4);
  CHECK(increments.at({kCustomerRule, "cus_1", 10 * kHour}) == 2);
  auto flags = velocityFlags(failures, {}, rule(3));
  REQUIRE(flags.size() == 2);
  CHECK(flags[0].customerId == "cus_3");
  CHECK(flags[0].rule == kFingerprintRule);
  CHECK(flags[0].count == 3);
  CHECK(flags[1].customerId == "cus_4");
  CHECK(flags[1].count == 4);
}
