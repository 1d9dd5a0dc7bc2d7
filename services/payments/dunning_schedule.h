#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::payments {

// When an unpaid subscription invoice is retried, and when its subscription
// is given up: retry k (1-based) is due delays[k-1] after the failure before
// it (the invoice's failure for the first, the declined retry k-1 for the
// others); when the last retry is declined the subscription is past due, and
// cancelAfter later the cancel step (retries + 1) cancels it.
struct DunningPolicy {
  std::vector<std::chrono::milliseconds> delays;
  std::chrono::milliseconds cancelAfter{std::chrono::hours(24 * 7)};
};

struct DunningStepDue {
  int step = 1;
  std::int64_t dueAtMs = 0;
  bool cancel = false;  // the cancel step: the retries are exhausted
};

// The first retry, after the invoice's payment failed at `failedAtMs`.
DunningStepDue firstDunningStep(const DunningPolicy& policy, std::int64_t failedAtMs);
// After retry `step` was declined at `atMs`: the next retry, or the cancel
// step when that was the last (a policy shortened since counts as it is now).
DunningStepDue afterDeclinedRetry(const DunningPolicy& policy, int step, std::int64_t atMs);

// What a due step means for the dunning as it stands: state scheduled | recovered |
// exhausted | canceled ("" no dunning), `stepsDone` the retries made so far.
enum class DunningAction { retry, cancel, skip };
DunningAction dunningActionFor(std::string_view state, int stepsDone, int step);

}  // namespace qrfleet::payments
