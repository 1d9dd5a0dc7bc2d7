#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "qrfleet/envelope.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/runtime/dead_letter_publisher.h"
#include "test_stack.h"

namespace qrfleet::testing {

struct DeadLetter {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Every dead letter whose original topic is `originalTopic`.
std::vector<DeadLetter> readDeadLetters(const TestStack& stack, const std::string& originalTopic);

// Every event on `topic`, in partition and offset order.
std::vector<Envelope> readEnvelopes(const TestStack& stack, const std::string& topic);

// One scenario of any worker under test, the fixture every worker's tests
// stand on: fresh topics (one per route, in route order, plus their retry
// topics and any output topics), the worker's schema dropped (and Redis
// emptied if asked), a group of its own, a producer, and worker processes
// started with the stack's environment on free metrics ports.
class WorkerRun {
 public:
  struct Topic {
    std::string prefix;  // the fresh topic is <prefix>-<unique suffix>
    int partitions = 1;
  };
  struct Options {
    std::string binary;  // e.g. "qrfleet-test-caller"
    std::string schema;  // dropped before the run
    std::string name;    // group and log names
    std::vector<Topic> topics;   // consumed, in the worker's route order
    std::vector<Topic> outputs;  // created only (topics the worker emits to)
    bool retryTopics = false;
    bool emptyRedis = false;
    std::map<std::string, std::string> env;  // for every worker of the run
  };
  explicit WorkerRun(Options options);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {},
                                             const std::set<std::string>& unset = {});
  int lastMetricsPort() const { return lastPort_; }
  // True once the worker started last answers /readyz with 200 (its schema is
  // migrated and its partitions assigned) within `timeout`.
  bool waitReady(std::chrono::milliseconds timeout) const;

  // `probe.step` events n = from .. to-1 on the first topic, keyed "k<n>" unless `key` is given.
  std::vector<Envelope> produceSteps(int from, int to, const std::string& key = "");
  EventProducer& producer() { return *producer_; }
  void flush();
  // True once the offsets stored with the state reach the end of every consumed topic.
  bool waitCaughtUp(std::chrono::milliseconds timeout) const;

  std::vector<DeadLetter> deadLetters(std::size_t topicIndex = 0) const;
  // Every copy of the first topic's events on its retry topic.
  std::vector<FailedMessage> retryCopies() const;
  long long count(const std::string& sql) const { return queryCount(stack_.databaseUrl, sql); }

  const std::string& topic(std::size_t i = 0) const { return topics_.at(i); }
  const std::string& output(std::size_t i = 0) const { return outputs_.at(i); }
  const std::string& group() const { return group_; }
  const TestStack& stack() const { return stack_; }

 private:
  Options options_;
  TestStack stack_;
  std::vector<std::string> topics_;
  std::vector<std::string> outputs_;
  std::string group_;
  std::unique_ptr<EventProducer> producer_;
  int workers_ = 0;
  int lastPort_ = 0;
};

}  // namespace qrfleet::testing
