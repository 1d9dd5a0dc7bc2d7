#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/tools/loadgen/scan_workload.h"
#include "scan_expectations.h"
#include "test_stack.h"
#include "worker_run.h"

namespace qrfleet::testing {

// The tests' scan workload: 20 owners, 1% bursts, scannedAt from
// 2026-11-20T22:00Z advancing stepMs per event (so it spans two UTC days).
loadgen::ScanWorkloadOptions testWorkload(std::uint64_t seed, int qrCodes, int stepMs = 7);

// One scan-analytics scenario: a fresh topic, group and schema, a producer,
// the expected read models, and worker processes started on demand.
class ScanRun {
 public:
  ScanRun(const std::string& name, int partitions, int burstThreshold = 10);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {});
  int lastMetricsPort() const { return run_.lastMetricsPort(); }

  // Produces `count` workload events (remembering them as expected).
  std::vector<std::pair<std::string, Envelope>> produceWorkload(loadgen::ScanWorkload& workload, long long count);
  void produceEvent(const std::string& key, const Envelope& e, bool expect = true);
  void produceRaw(const std::string& key, const std::string& value, const KafkaHeaders& headers = {});
  void flush();

  // True once the offsets stored with the state reach the end of every partition.
  bool waitCaughtUp(std::chrono::milliseconds timeout);
  std::vector<std::string> differences() const;
  std::vector<DeadLetter> deadLetters() const;

  const TestStack& stack() const { return run_.stack(); }
  const std::string& topic() const { return run_.topic(); }
  const std::string& group() const { return run_.group(); }
  long long applied() const;  // rows in analytics.scan_events (0 before the schema exists)
  ScanExpectations& expected() { return expected_; }

 private:
  WorkerRun run_;
  ScanExpectations expected_;
};

}  // namespace qrfleet::testing
