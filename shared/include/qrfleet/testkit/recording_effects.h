#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/stores/redis_effects.h"

namespace qrfleet::testkit {

// An Effects that records what a handler asked for instead of doing it: the
// SQL runs in the harness's transaction; emits, rejects, retries, outside
// steps and Redis writes are kept for the test to check.
class RecordingEffects : public Effects {
 public:
  // `outside` answers each outside step; by default the step's own call is made.
  using OutsideAnswer = std::function<StepOutcome(const OutsideStep&, const OutsideCall&)>;
  RecordingEffects(pqxx::work& txn, std::string redisPrefix, bool replaying, OutsideAnswer outside);

  pqxx::work& sql() override { return txn_; }
  RedisWriter redis(const ConsumedEvent& event) override;
  RedisClient& redisReader() override;
  bool replaying() const override { return replaying_; }
  void emit(const std::string& topic, const std::string& key, const Envelope& event) override;
  void emitOnce(const std::string& topic, const std::string& key, const Envelope& event) override {
    emit(topic, key, event);
  }
  void reject(const ConsumedEvent& event, RejectReason reason, std::string_view message) override;
  void retryLater(const ConsumedEvent& event, std::string_view reason, std::chrono::milliseconds notBefore) override;
  std::vector<StepOutcome> callOutside(std::span<const OutsideStep> steps) override;
  // The harness has no retry topic: every attempt is the last unless a test says otherwise.
  bool lastAttempt(const ConsumedEvent& event) const override { return event.attempt >= lastAttemptNumber; }
  int lastAttemptNumber = 4;
  void duplicate(const ConsumedEvent& event) override;

  struct Emitted {
    std::string topic;
    std::string key;
    Envelope event;
  };
  struct Rejected {
    const ConsumedEvent* event;
    RejectReason reason;
    std::string message;
  };
  struct Retried {
    const ConsumedEvent* event;
    std::string reason;
    std::chrono::milliseconds notBefore;
  };
  struct Called {
    const ConsumedEvent* event;
    std::string step;
    std::string target;
    StepOutcome outcome;
  };
  std::vector<Emitted> emitted;
  std::vector<Rejected> rejected;
  std::vector<Retried> retried;
  std::vector<Called> called;
  std::vector<const ConsumedEvent*> duplicates;
  // The batch's Redis writes as commands (increments and HyperLogLog adds merged per key).
  std::vector<std::vector<std::string>> redisWrites() const { return redis_.pendingCommands(); }

 private:
  pqxx::work& txn_;
  RedisEffects redis_;
  bool replaying_;
  OutsideAnswer outside_;
};

}  // namespace qrfleet::testkit
