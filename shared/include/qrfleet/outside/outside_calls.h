#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "qrfleet/outside/attempt_ledger.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/outside/outside_calls_limits.h"
#include "qrfleet/outside_step.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

// Runs the outside steps of a batch for every lane of a worker: each step
// whose final outcome the AttemptLedger has is answered from it, the rest run
// on a bounded pool of threads (started on first use) and each outcome is
// recorded the moment its call returns, by a recorder thread that writes
// whatever has finished in one statement. run() returns once every outcome is
// recorded, so a batch that runs again afterwards never repeats a call whose
// success was recorded.
class OutsideCalls {
 public:
  OutsideCalls(std::string schema, std::string databaseUrl, OutsideLimits limits, JsonLogger& log,
               RuntimeMetrics& metrics, const std::atomic<bool>& stop);
  ~OutsideCalls();
  OutsideCalls(const OutsideCalls&) = delete;
  OutsideCalls& operator=(const OutsideCalls&) = delete;

  // `ledger` is the calling lane's connection with no transaction open.
  // Under replay, steps without a recorded outcome are notCalled, and a
  // recorded refusal comes back as it was. Steps
  // sharing an orderKey stop at the first that does not succeed: the rest
  // come back transient, not called. `keepAlive` runs every 5 s while calls
  // are out (the lane's open transaction must not hit
  // idle_in_transaction_session_timeout). Throws TransientError if shutdown
  // interrupted the recording.
  std::vector<StepOutcome> run(std::span<const OutsideStep> steps, pqxx::connection& ledger, bool replaying,
                               const std::function<void()>& keepAlive = {});

 private:
  struct Run;
  // Steps called one after another (an orderKey's), or, when `together`,
  // in one batch call.
  struct Chain {
    Run* run;
    std::vector<std::size_t> steps;  // indices into the run's steps, in order
    std::size_t next = 0;
    bool together = false;
    int priority = 0;
  };
  // With mutex_ held: queues the chain behind those of its priority or higher.
  void enqueue(Chain chain, bool front);
  // Runs the chain's next step (or all its steps, when together) without the lock.
  std::vector<StepOutcome> call(const Chain& chain, bool& called);
  void startThreads();
  void work();
  void recordLoop();
  // With mutex_ held: the first queued chain whose next step's target has room.
  std::deque<Chain>::iterator runnable();
  void finishStep(Run& run, std::size_t index, StepOutcome outcome, bool called, double seconds);

  AttemptLedger ledger_;
  std::string databaseUrl_;
  OutsideLimits limits_;
  JsonLogger& log_;
  RuntimeMetrics& metrics_;
  const std::atomic<bool>& stop_;
  prometheus::Family<prometheus::Counter>& steps_;
  prometheus::Family<prometheus::Histogram>& stepSeconds_;

  std::mutex mutex_;
  std::condition_variable work_;      // pool threads: chains queued, or closing
  std::condition_variable progress_;  // run() and the recorder: outcomes finished or recorded
  std::deque<Chain> queue_;
  std::map<std::string, int> inFlight_;  // by target
  std::vector<AttemptLedger::Record> toRecord_;
  std::uint64_t finished_ = 0;  // records handed to the recorder so far
  std::uint64_t recorded_ = 0;  // of them, durable
  bool closing_ = false;
  std::vector<std::thread> workers_;
  std::thread recorder_;
};

}  // namespace qrfleet
