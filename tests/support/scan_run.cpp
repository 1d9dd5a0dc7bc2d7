#include "scan_run.h"

#include "qrfleet/time_format.h"

namespace qrfleet::testing {

ScanRun::ScanRun(const std::string& name, int partitions, int burstThreshold)
    : run_({"qrfleet-scan-analytics", "analytics", "it-" + name, {{"it-" + name, partitions}}, {}, false, true,
            {{"SCAN_BURST_THRESHOLD", std::to_string(burstThreshold)}, {"RETRY_INITIAL_MS", "100"}, {"RETRY_MAX_MS", "1000"}}}),
      expected_(burstThreshold) {}

std::unique_ptr<WorkerProcess> ScanRun::startWorker(std::map<std::string, std::string> extraEnv) {
  return run_.startWorker(std::move(extraEnv));
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
  run_.producer().produceEvent(topic(), key, e);
  if (expect) expected_.add(e);
}

void ScanRun::produceRaw(const std::string& key, const std::string& value, const KafkaHeaders& headers) {
  run_.producer().produce(topic(), key, value, headers);
}

void ScanRun::flush() { run_.flush(); }

bool ScanRun::waitCaughtUp(std::chrono::milliseconds timeout) {
  return run_.waitCaughtUp(timeout);
}

long long ScanRun::applied() const {
  try {
    return run_.count("SELECT count(*) FROM analytics.scan_events");
  } catch (const std::exception&) {
    return 0;  // not migrated yet, or Postgres down in a fault test
  }
}

std::vector<std::string> ScanRun::differences() const {
  return compareScanReadModels(expected_, stack().databaseUrl, stack().redisUrl);
}

std::vector<DeadLetter> ScanRun::deadLetters() const { return run_.deadLetters(); }

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

}  // namespace qrfleet::testing
