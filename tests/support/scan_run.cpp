#include "scan_run.h"

#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::testing {

ScanRun::ScanRun(const std::string& name, int partitions, int burstThreshold)
    : stack_(TestStack::fromEnvironment()), name_(name), burstThreshold_(burstThreshold), expected_(burstThreshold) {
  stack_.resetScanAnalytics();
  topic_ = stack_.createTopic("it-" + name, partitions);
  group_ = "it-" + topic_;
  producer_ = std::make_unique<EventProducer>(stack_.kafka(), "it-producer");
}

std::unique_ptr<WorkerProcess> ScanRun::startWorker(std::map<std::string, std::string> extraEnv) {
  lastPort_ = freePort();
  extraEnv.insert({{"SCAN_BURST_THRESHOLD", std::to_string(burstThreshold_)}, {"RETRY_MAX_MS", "1000"}});
  auto env = stack_.workerEnv(topic_, group_, lastPort_, name_ + "-" + std::to_string(++workers_), extraEnv);
  return std::make_unique<WorkerProcess>(stack_.binDir + "/qrfleet-scan-analytics", env,
                                         std::string(QRFLEET_TEST_LOG_DIR) + "/" + name_ + ".log");
}

std::vector<std::pair<std::string, Envelope>> ScanRun::produceWorkload(loadgen::ScanWorkload& workload,
                                                                       long long count) {
  std::vector<std::pair<std::string, Envelope>> sent;
  sent.reserve(static_cast<size_t>(count));
  for (long long i = 0; i < count; ++i) {
    auto ev = workload.next();
    produceEvent(ev.first, ev.second);
    sent.push_back(std::move(ev));
  }
  flush();
  return sent;
}

void ScanRun::produceEvent(const std::string& key, const Envelope& e, bool expect) {
  producer_->produceEvent(topic_, key, e);
  if (expect) expected_.add(e);
}

void ScanRun::produceRaw(const std::string& key, const std::string& value, const KafkaHeaders& headers) {
  producer_->produce(topic_, key, value, headers);
}

void ScanRun::flush() { producer_->flush(std::chrono::seconds(60)); }

bool ScanRun::waitCaughtUp(std::chrono::milliseconds timeout) {
  return stack_.waitCaughtUp("analytics", group_, {topic_}, timeout);
}

long long ScanRun::applied() const {
  try {
    return queryCount(stack_.databaseUrl, "SELECT count(*) FROM analytics.scan_events");
  } catch (const std::exception&) {
    return 0;  // not migrated yet, or Postgres down in a fault test
  }
}

std::vector<std::string> ScanRun::differences() const {
  return compareScanReadModels(expected_, stack_.databaseUrl, stack_.redisUrl);
}

std::vector<DeadLetter> ScanRun::deadLetters() const { return readDeadLetters(stack_, topic_); }

loadgen::ScanWorkloadOptions testWorkload(std::uint64_t seed, int qrCodes, int stepMs) {
  loadgen::ScanWorkloadOptions o;
  o.seed = seed;
  o.qrCodes = qrCodes;
  o.owners = 20;
  o.startMs = *parseRfc3339Millis("2026-11-20T22:00:00Z");
  o.stepMs = stepMs;
  o.burstShare = 0.01;
  return o;
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

}  // namespace qrfleet::testing
