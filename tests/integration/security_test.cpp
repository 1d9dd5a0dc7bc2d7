// Kafka security settings reach librdkafka: a worker consumes through the
// stack's SASL_SSL (SCRAM-SHA-512 over TLS) listener; secrets stay out of logs and /metrics.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "qrfleet/time_format.h"
#include "scan_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {
std::string fileText(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("a worker consumes through a SASL_SSL listener; the password appears in no log and no metric") {
  ScanRun run("saslssl", 3);
  loadgen::ScanWorkloadOptions o;
  o.seed = 601;
  o.qrCodes = 100;
  o.startMs = *parseRfc3339Millis("2026-11-21T08:00:00Z");
  o.stepMs = 50;
  loadgen::ScanWorkload workload(o);
  run.produceWorkload(workload, 3000);
  const auto password = requireEnv("QRFLEET_SCRAM_PASSWORD");
  std::map<std::string, std::string> secure{{"KAFKA_BROKERS", requireEnv("QRFLEET_SASL_SSL_BROKERS")},
                                            {"KAFKA_SECURITY_PROTOCOL", "sasl_ssl"},
                                            {"KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"},
                                            {"KAFKA_SASL_USERNAME", requireEnv("QRFLEET_SCRAM_USER")},
                                            {"KAFKA_SASL_PASSWORD", password},
                                            {"KAFKA_SSL_CA_LOCATION", requireEnv("QRFLEET_SASL_SSL_CA")},
                                            {"LOG_LEVEL", "debug"}};
  auto worker = run.startWorker(secure);
  REQUIRE(run.waitCaughtUp(90s));
  auto diff = run.differences();
  CHECK(diff.empty());
  auto metrics = httpGet(run.lastMetricsPort(), "/metrics");
  CHECK(metrics.find("qrfleet_ready") != std::string::npos);
  CHECK(metrics.find(password) == std::string::npos);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
  auto log = fileText(worker->logPath());
  CHECK(log.find("partitions assigned") != std::string::npos);
  CHECK(log.find(password) == std::string::npos);

  // A wrong password: the worker never becomes ready, and says why without echoing it.
  secure["KAFKA_SASL_PASSWORD"] = "wrong-" + password;
  auto refused = run.startWorker(secure);
  std::this_thread::sleep_for(8s);
  int status = 0;
  httpGet(run.lastMetricsPort(), "/readyz", &status);
  CHECK(status == 503);
  refused->kill(SIGTERM);
  CHECK(refused->wait(40s) == 0);  // after waiting out a first assignment that never comes
  log = fileText(refused->logPath());
  CHECK(log.find("Authentication failed") != std::string::npos);
  CHECK(log.find(password) == std::string::npos);
}
