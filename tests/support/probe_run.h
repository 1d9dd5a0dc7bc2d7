#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "test_stack.h"
#include "worker_run.h"

namespace qrfleet::testing {

struct ProbeAttempt {
  int n;
  int batchSize;
  std::string outcome;
  double atSeconds;  // since the epoch
};

// One scenario of the test-probe worker: a fresh topic and its retry topic, a
// clean probe schema, `probe.step` events numbered n = 0, 1, ...
class ProbeRun {
 public:
  ProbeRun(const std::string& name, int partitions);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {});
  // Produces events n = from .. to-1 (key "k<n>" unless `key` is given); returns their envelopes.
  std::vector<Envelope> produce(int from, int to, const std::string& key = "");
  bool waitCaughtUp(std::chrono::milliseconds timeout);

  std::map<int, int> appliedAttempts() const;  // n -> attempt it was applied on
  std::vector<ProbeAttempt> attempts(int n) const;
  std::vector<DeadLetter> deadLetters() const;

  const std::string& topic() const { return run_.topic(); }
  const TestStack& stack() const { return run_.stack(); }

 private:
  WorkerRun run_;
};

}  // namespace qrfleet::testing
