#include "qrfleet/testkit/recording_effects.h"

#include <stdexcept>

#include "qrfleet/outside/attempt_ledger.h"

namespace qrfleet::testkit {

RecordingEffects::RecordingEffects(pqxx::work& txn, std::string redisPrefix, bool replaying, OutsideAnswer outside)
    : txn_(txn), redis_(std::move(redisPrefix), "testkit", !replaying), replaying_(replaying), outside_(std::move(outside)) {}

RedisWriter RecordingEffects::redis(const ConsumedEvent&) { return RedisWriter(&redis_); }

RedisClient& RecordingEffects::redisReader() {
  throw std::logic_error("RecordingEffects: no Redis to read in a handler unit test; check redisWrites() instead");
}

void RecordingEffects::emit(const std::string& topic, const std::string& key, const Envelope& event) {
  if (!replaying_) emitted.push_back({topic, key, event});
}

void RecordingEffects::reject(const ConsumedEvent& event, RejectReason reason, std::string_view message) {
  rejected.push_back({&event, reason, std::string(message)});
}

void RecordingEffects::retryLater(const ConsumedEvent& event, std::string_view reason,
                                  std::chrono::milliseconds notBefore) {
  retried.push_back({&event, std::string(reason), notBefore});
}

std::vector<StepOutcome> RecordingEffects::callOutside(std::span<const OutsideStep> steps) {
  std::vector<StepOutcome> out;
  for (const auto& s : steps) {
    OutsideCall call{AttemptLedger::key(s.subject.empty() ? s.event->envelope.eventId : s.subject, s.name), 1};
    StepOutcome outcome;
    if (replaying_) {
      outcome = {StepStatus::notCalled, "replay: no recorded outcome", {}, false};
    } else if (outside_) {
      outcome = outside_(s, call);
    } else if (s.batch) {
      const OutsideStep* one = &s;
      auto outcomes = s.batch->call(std::span(&one, 1), std::span(&call, 1));
      outcome = outcomes.empty() ? StepOutcome::transient("batch call gave no outcome") : outcomes.front();
    } else {
      outcome = s.call(call);
    }
    called.push_back({s.event, s.name, s.target, outcome});
    out.push_back(std::move(outcome));
  }
  return out;
}

void RecordingEffects::duplicate(const ConsumedEvent& event) { duplicates.push_back(&event); }

}  // namespace qrfleet::testkit
