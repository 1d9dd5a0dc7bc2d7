#pragma once
#include <set>
#include <string>

#include "qrfleet/batch_handler.h"
#include "qrfleet/stores/postgres_connection.h"

namespace qrfleet::probe {

// What the probe does with `probe.step` events, by the payload's `n`.
struct ProbeBehaviour {
  std::set<std::int64_t> failAlways;        // the handler throws every time
  std::set<std::int64_t> failOnce;          // throws on the first attempt only
  std::set<std::int64_t> retryAlways;       // Effects::retryLater() every time
  std::set<std::int64_t> retryUntilAttempt3;  // retryLater() on attempts 1 and 2, applied on 3
  std::set<std::int64_t> reject;            // Effects::reject()
};

// A test-only worker that exercises the runtime's failure paths: it applies
// `probe.step` events to probe.applied and records every attempt in
// probe.attempts on a connection of its own (failed attempts roll back the batch).
class ProbeHandler : public BatchHandler {
 public:
  ProbeHandler(ProbeBehaviour behaviour, const std::string& databaseUrl);
  // The route of probe-steps.
  void handle(std::span<const ConsumedEvent> events, Effects& effects);

 private:
  void record(int n, std::size_t batchSize, const std::string& outcome);
  ProbeBehaviour behaviour_;
  PostgresConnection log_;
  std::set<int> failedOnce_;
};

}  // namespace qrfleet::probe
