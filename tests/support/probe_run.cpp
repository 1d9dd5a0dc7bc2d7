#include "probe_run.h"

#include "qrfleet/event_id.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::testing {

ProbeRun::ProbeRun(const std::string& name, int partitions) : stack_(TestStack::fromEnvironment()), name_(name) {
  stack_.dropSchema("probe");
  topic_ = stack_.createTopic("probe-" + name, partitions);
  stack_.createTopicNamed(retryTopicOf(topic_), partitions);
  group_ = "probe-" + topic_;
  producer_ = std::make_unique<EventProducer>(stack_.kafka(), "probe-producer");
}

std::unique_ptr<WorkerProcess> ProbeRun::startWorker(std::map<std::string, std::string> extraEnv) {
  extraEnv.insert({{"RETRY_INITIAL_MS", "50"}, {"RETRY_MAX_MS", "200"}});
  auto env = stack_.workerEnv(topic_, group_, 0, name_ + "-" + std::to_string(++workers_), extraEnv);
  return std::make_unique<WorkerProcess>(stack_.binDir + "/qrfleet-test-probe", env,
                                         std::string(QRFLEET_TEST_LOG_DIR) + "/probe-" + name_ + ".log");
}

std::vector<Envelope> ProbeRun::produce(int from, int to, const std::string& key) {
  std::vector<Envelope> out;
  for (int n = from; n < to; ++n) {
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = "probe.step";
    e.version = 1;
    e.timestampMs = nowMillis();
    e.source = "probe-test";
    e.correlationId = "corr-" + std::to_string(n);
    e.payload = {{"n", n}};
    producer_->produceEvent(topic_, key.empty() ? "k" + std::to_string(n) : key, e);
    out.push_back(std::move(e));
  }
  producer_->flush(std::chrono::seconds(30));
  return out;
}

bool ProbeRun::waitCaughtUp(std::chrono::milliseconds timeout) {
  return stack_.waitCaughtUp("probe", group_, {topic_, retryTopicOf(topic_)}, timeout);
}

std::map<int, int> ProbeRun::appliedAttempts() const {
  pqxx::connection c(stack_.databaseUrl);
  pqxx::read_transaction t(c);
  std::map<int, int> out;
  for (const auto& r : t.exec("SELECT n, attempt FROM probe.applied")) out[r[0].as<int>()] = r[1].as<int>();
  return out;
}

std::vector<ProbeAttempt> ProbeRun::attempts(int n) const {
  pqxx::connection c(stack_.databaseUrl);
  pqxx::read_transaction t(c);
  std::vector<ProbeAttempt> out;
  for (const auto& r : t.exec_params(
           "SELECT n, batch_size, outcome, extract(epoch FROM at) FROM probe.attempts WHERE n = $1 ORDER BY at", n))
    out.push_back({r[0].as<int>(), r[1].as<int>(), r[2].as<std::string>(), r[3].as<double>()});
  return out;
}

std::vector<DeadLetter> ProbeRun::deadLetters() const { return readDeadLetters(stack_, topic_); }

}  // namespace qrfleet::testing
