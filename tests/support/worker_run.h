#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/envelope.h"
#include "qrfleet/kafka/event_producer.h"
#include "scan_run.h"
#include "test_stack.h"

namespace qrfleet::testing {

// One scenario of any worker under test: a fresh topic (and its retry topic),
// the worker's schema dropped, a group of its own; workers started with the
// stack's environment.
class WorkerRun {
 public:
  struct Options {
    std::string binary;  // e.g. "qrfleet-test-caller"
    std::string schema;  // dropped before the run
    std::string name;    // topic prefix, log names
    int partitions = 1;
    bool retryTopic = false;
  };
  explicit WorkerRun(Options options);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {},
                                             const std::set<std::string>& unset = {});
  // `probe.step` events n = from .. to-1, keyed "k<n>" unless `key` is given; returns their envelopes.
  std::vector<Envelope> produceSteps(int from, int to, const std::string& key = "");
  bool waitCaughtUp(std::chrono::milliseconds timeout) const;

  std::vector<DeadLetter> deadLetters() const;
  // Every copy of the run's events on its retry topic.
  std::vector<FailedMessage> retryCopies() const;
  long long count(const std::string& sql) const { return queryCount(stack_.databaseUrl, sql); }

  const std::string& topic() const { return topic_; }
  const std::string& group() const { return group_; }
  const TestStack& stack() const { return stack_; }

 private:
  Options options_;
  TestStack stack_;
  std::string topic_;
  std::string group_;
  std::unique_ptr<EventProducer> producer_;
  int workers_ = 0;
};

}  // namespace qrfleet::testing
