#include "dunning_schedule.h"

#include <stdexcept>

namespace qrfleet::payments {

DunningStepDue firstDunningStep(const DunningPolicy& policy, std::int64_t failedAtMs) {
  if (policy.delays.empty()) throw std::invalid_argument("a dunning policy needs at least one retry delay");
  return {1, failedAtMs + policy.delays.front().count(), false};
}

DunningStepDue afterDeclinedRetry(const DunningPolicy& policy, int step, std::int64_t atMs) {
  if (step >= 1 && static_cast<std::size_t>(step) < policy.delays.size())
    return {step + 1, atMs + policy.delays[static_cast<std::size_t>(step)].count(), false};
  return {step + 1, atMs + policy.cancelAfter.count(), true};
}

DunningAction dunningActionFor(std::string_view state, int stepsDone, int step) {
  // A step comes once after the one before it: anything else is a copy of
  // one already made, or of one a payment made unnecessary.
  if (step != stepsDone + 1) return DunningAction::skip;
  if (state == "scheduled") return DunningAction::retry;
  if (state == "exhausted") return DunningAction::cancel;
  return DunningAction::skip;
}

}  // namespace qrfleet::payments
