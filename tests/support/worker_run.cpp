#include "worker_run.h"

#include "qrfleet/event_id.h"
#include "qrfleet/kafka/topic_reader.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/time_format.h"

namespace qrfleet::testing {

std::vector<Envelope> readEnvelopes(const TestStack& stack, const std::string& topic) {
  TopicReader reader(stack.kafka(), topic, true);
  std::vector<std::pair<std::pair<int, std::int64_t>, Envelope>> found;
  while (auto m = reader.next(std::chrono::seconds(10)))
    found.push_back({{m->partition, m->offset}, Envelope::decode(m->value)});
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Envelope> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::vector<DeadLetter> readDeadLetters(const TestStack& stack, const std::string& originalTopic) {
  TopicReader reader(stack.kafka(), "dead-letter-queue", true);
  std::vector<DeadLetter> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!reader.atEnd() && std::chrono::steady_clock::now() < deadline) {
    auto m = reader.next(std::chrono::seconds(1));
    if (!m) continue;
    DeadLetter d{m->key, m->value, {m->headers.begin(), m->headers.end()}};
    if (d.headers["dlq-original-topic"] == originalTopic) out.push_back(std::move(d));
  }
  return out;
}

WorkerRun::WorkerRun(Options options) : options_(std::move(options)), stack_(TestStack::fromEnvironment()) {
  stack_.dropSchema(options_.schema);
  if (options_.emptyRedis) RedisClient(stack_.redisUrl).command({"FLUSHDB"});
  for (const auto& t : options_.topics) {
    topics_.push_back(stack_.createTopic(t.prefix, t.partitions));
    if (options_.retryTopics) stack_.createTopicNamed(retryTopicOf(topics_.back()), t.partitions);
  }
  for (const auto& t : options_.outputs) outputs_.push_back(stack_.createTopic(t.prefix, t.partitions));
  group_ = options_.name + "-" + topics_.at(0);
  producer_ = std::make_unique<EventProducer>(stack_.kafka(), options_.name + "-producer");
}

std::unique_ptr<WorkerProcess> WorkerRun::startWorker(std::map<std::string, std::string> extraEnv,
                                                      const std::set<std::string>& unset) {
  lastPort_ = freePort();
  for (const auto& [k, v] : options_.env) extraEnv.insert({k, v});
  extraEnv.insert({{"RETRY_INITIAL_MS", "50"}, {"RETRY_MAX_MS", "500"}});
  std::string topics;
  for (const auto& t : topics_) topics += (topics.empty() ? "" : ",") + t;
  auto instance = options_.name + "-" + std::to_string(++workers_);
  auto env = stack_.workerEnv(topics, group_, lastPort_, instance, extraEnv);
  for (const auto& u : unset) env.erase(u);
  return std::make_unique<WorkerProcess>(stack_.binDir + "/" + options_.binary, env,
                                         std::string(QRFLEET_TEST_LOG_DIR) + "/" + instance + ".log",
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
    producer_->produceEvent(topic(), key.empty() ? "k" + std::to_string(n) : key, e);
    out.push_back(std::move(e));
  }
  flush();
  return out;
}

void WorkerRun::flush() { producer_->flush(std::chrono::seconds(60)); }

bool WorkerRun::waitCaughtUp(std::chrono::milliseconds timeout) const {
  auto topics = topics_;
  if (options_.retryTopics)
    for (const auto& t : topics_) topics.push_back(retryTopicOf(t));
  return stack_.waitCaughtUp(options_.schema, group_, topics, timeout);
}

std::vector<DeadLetter> WorkerRun::deadLetters(std::size_t topicIndex) const {
  return readDeadLetters(stack_, topic(topicIndex));
}

std::vector<FailedMessage> WorkerRun::retryCopies() const {
  std::vector<FailedMessage> out;
  if (!options_.retryTopics) return out;
  TopicReader reader(stack_.kafka(), retryTopicOf(topic()), true);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!reader.atEnd() && std::chrono::steady_clock::now() < deadline)
    if (auto m = reader.next(std::chrono::seconds(1))) out.push_back(std::move(*m));
  return out;
}

bool WorkerRun::waitReady(std::chrono::milliseconds timeout) const {
  return waitUntil([&] {
    int status = 0;
    try {
      httpGet(lastPort_, "/readyz", &status);
    } catch (const std::exception&) {
      return false;
    }
    return status == 200;
  }, timeout);
}

}  // namespace qrfleet::testing
