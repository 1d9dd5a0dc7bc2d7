#include <doctest/doctest.h>

#include "dunning_schedule.h"
#include "qrfleet/duration_text.h"

using namespace qrfleet;
using namespace qrfleet::payments;
using std::chrono::milliseconds;

namespace {
constexpr std::int64_t kDay = 86400 * 1000;
DunningPolicy policy() {
  DunningPolicy p;
  p.delays = parseDurationList("1d,3d,5d");
  p.cancelAfter = parseDuration("7d");
  return p;
}
}  // namespace

TEST_CASE("retries follow the failure and each other; the last declined one schedules the cancel") {
  auto p = policy();
  const std::int64_t failed = 1000000;
  auto first = firstDunningStep(p, failed);
  CHECK(first.step == 1);
  CHECK(first.dueAtMs == failed + kDay);
  CHECK_FALSE(first.cancel);
  auto second = afterDeclinedRetry(p, 1, first.dueAtMs + 5);
  CHECK(second.step == 2);
  CHECK(second.dueAtMs == first.dueAtMs + 5 + 3 * kDay);
  CHECK_FALSE(second.cancel);
  auto third = afterDeclinedRetry(p, 2, second.dueAtMs);
  CHECK(third.step == 3);
  CHECK(third.dueAtMs == second.dueAtMs + 5 * kDay);
  auto cancel = afterDeclinedRetry(p, 3, third.dueAtMs);
  CHECK(cancel.step == 4);
  CHECK(cancel.cancel);
  CHECK(cancel.dueAtMs == third.dueAtMs + 7 * kDay);
  // A policy shortened meanwhile: the dunning is exhausted at once.
  DunningPolicy shorter = p;
  shorter.delays.resize(1);
  CHECK(afterDeclinedRetry(shorter, 2, 0).cancel);
  CHECK_THROWS_AS(firstDunningStep(DunningPolicy{}, 0), std::invalid_argument);
}

TEST_CASE("a due step is made once, only after the one before it, and only while the dunning goes on") {
  CHECK(dunningActionFor("scheduled", 0, 1) == DunningAction::retry);
  CHECK(dunningActionFor("scheduled", 1, 2) == DunningAction::retry);
  CHECK(dunningActionFor("scheduled", 1, 1) == DunningAction::skip);  // sent twice
  CHECK(dunningActionFor("scheduled", 0, 2) == DunningAction::skip);
  CHECK(dunningActionFor("exhausted", 3, 4) == DunningAction::cancel);
  CHECK(dunningActionFor("exhausted", 3, 3) == DunningAction::skip);
  CHECK(dunningActionFor("recovered", 1, 2) == DunningAction::skip);  // paid meanwhile
  CHECK(dunningActionFor("canceled", 4, 5) == DunningAction::skip);
  CHECK(dunningActionFor("", 0, 1) == DunningAction::skip);
}
