#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/tools/loadgen/scan_workload.h"
#include "scan_expectations.h"
#include "test_stack.h"

namespace qrfleet::testing {

struct DeadLetter {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// The tests' scan workload: 20 owners, 1% bursts, scannedAt from
// 2026-11-20T22:00Z advancing stepMs per event (so it spans two UTC days).
loadgen::ScanWorkloadOptions testWorkload(std::uint64_t seed, int qrCodes, int stepMs = 7);

// Every dead letter whose original topic is `originalTopic`.
std::vector<DeadLetter> readDeadLetters(const TestStack& stack, const std::string& originalTopic);

// One scan-analytics scenario: a fresh topic, group and schema, a producer,
// the expected read models, and worker processes started on demand.
class ScanRun {
 public:
  ScanRun(const std::string& name, int partitions, int burstThreshold = 10);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {});
  int lastMetricsPort() const { return lastPort_; }

  // Produces `count` workload events (remembering them as expected).
  std::vector<std::pair<std::string, Envelope>> produceWorkload(loadgen::ScanWorkload& workload, long long count);
  void produceEvent(const std::string& key, const Envelope& e, bool expect = true);
  void produceRaw(const std::string& key, const std::string& value, const KafkaHeaders& headers = {});
  void flush();

  // True once the offsets stored with the state reach the end of every partition.
  bool waitCaughtUp(std::chrono::milliseconds timeout);
  std::vector<std::string> differences() const;
  std::vector<DeadLetter> deadLetters() const;

  const TestStack& stack() const { return stack_; }
  const std::string& topic() const { return topic_; }
  const std::string& group() const { return group_; }
  long long applied() const;  // rows in analytics.scan_events (0 before the schema exists)
  ScanExpectations& expected() { return expected_; }

 private:
  TestStack stack_;
  std::string name_;
  std::string topic_;
  std::string group_;
  int burstThreshold_;
  ScanExpectations expected_;
  std::unique_ptr<EventProducer> producer_;
  int workers_ = 0;
  int lastPort_ = 0;
};

}  // namespace qrfleet::testing
