#include "worker_run.h"

#include "qrfleet/event_id.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::testing {

WorkerRun::WorkerRun(Options options) : options_(std::move(options)), stack_(TestStack::fromEnvironment()) {
  stack_.dropSchema(options_.schema);
  topic_ = stack_.createTopic(options_.name, options_.partitions);
  if (options_.retryTopic) stack_.createTopicNamed(retryTopicOf(topic_), options_.partitions);
  group_ = options_.name + "-" + topic_;
  producer_ = std::make_unique<EventProducer>(stack_.kafka(), options_.name + "-producer");
}

std::unique_ptr<WorkerProcess> WorkerRun::startWorker(std::map<std::string, std::string> extraEnv,
                                                      const std::set<std::string>& unset) {
  extraEnv.insert({{"RETRY_INITIAL_MS", "50"}, {"RETRY_MAX_MS", "500"}});
  auto instance = options_.name + "-" + std::to_string(++workers_);
  auto env = stack_.workerEnv(topic_, group_, 0, instance, extraEnv);
  for (const auto& u : unset) env.erase(u);
  return std::make_unique<WorkerProcess>(stack_.binDir + "/" + options_.binary, env,
                                         std::string(QRFLEET_TEST_LOG_DIR) + "/" + options_.name + ".log",
                                         std::vector<std::string>{}, unset);
}

std::vector<Envelope> WorkerRun::produceSteps(int from, int to, const std::string& key) {
  std::vector<Envelope> out;
  for (int n = from; n < to; ++n) {
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = "probe.step";
    e.version = 1;
    e.timestampMs = nowMillis();
    e.source = options_.name;
    e.correlationId = "corr-" + std::to_string(n);
    e.payload = {{"n", n}};
    producer_->produceEvent(topic_, key.empty() ? "k" + std::to_string(n) : key, e);
    out.push_back(std::move(e));
  }
  producer_->flush(std::chrono::seconds(30));
  return out;
}

bool WorkerRun::waitCaughtUp(std::chrono::milliseconds timeout) const {
  std::vector<std::string> topics{topic_};
  if (options_.retryTopic) topics.push_back(retryTopicOf(topic_));
  return stack_.waitCaughtUp(options_.schema, group_, topics, timeout);
}

std::vector<DeadLetter> WorkerRun::deadLetters() const { return readDeadLetters(stack_, topic_); }

std::vector<FailedMessage> WorkerRun::retryCopies() const {
  std::vector<FailedMessage> out;
  if (!options_.retryTopic) return out;
  TopicReader reader(stack_.kafka(), retryTopicOf(topic_), true);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!reader.atEnd() && std::chrono::steady_clock::now() < deadline)
    if (auto m = reader.next(std::chrono::seconds(1))) out.push_back(std::move(*m));
  return out;
}

}  // namespace qrfleet::testing
