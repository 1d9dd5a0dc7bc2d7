// scan-analytics against the real Kafka, Postgres and Redis of the test stack.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <random>
#include <thread>

#include "qrfleet/event_id.h"
#include "qrfleet/time_format.h"
#include "scan_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {

void checkNoDifferences(const ScanRun& run) {
  auto diff = run.differences();
  for (const auto& d : diff) MESSAGE(d);
  CHECK(diff.empty());
}
}  // namespace

TEST_CASE("a scan workload ends in exactly the expected read models, and re-sent events count once") {
  ScanRun run("workload", 8);
  loadgen::ScanWorkload workload(testWorkload(101, 300));
  auto sent = run.produceWorkload(workload, 20000);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "1500"}});
  REQUIRE(run.waitCaughtUp(120s));
  checkNoDifferences(run);

  // The same events again (same eventIds, new offsets): nothing may change.
  for (std::size_t i = 0; i < 3000; ++i) run.produceEvent(sent[i].first, sent[i].second);
  run.flush();
  REQUIRE(run.waitCaughtUp(60s));
  CHECK(run.expected().total() == 20000);
  checkNoDifferences(run);

  int status = 0;
  auto metrics = httpGet(run.lastMetricsPort(), "/metrics", &status);
  CHECK(status == 200);
  CHECK(metrics.find("qrfleet_events_processed_total{event_type=\"scan.recorded\",outcome=\"duplicate\"") !=
        std::string::npos);
  CHECK(metrics.find("qrfleet_consumer_lag{") != std::string::npos);
  CHECK(metrics.find("qrfleet_batch_duration_seconds_bucket") != std::string::npos);
  httpGet(run.lastMetricsPort(), "/readyz", &status);
  CHECK(status == 200);
  httpGet(run.lastMetricsPort(), "/healthz", &status);
  CHECK(status == 200);

  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("bad input lands in the dead-letter queue with its headers; valid events around it are counted") {
  ScanRun run("badinput", 3);
  loadgen::ScanWorkload workload(testWorkload(202, 50));
  auto worker = run.startWorker({{"MAX_EVENT_BYTES", "4096"}});

  auto valid = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto [key, e] = workload.next();
      run.produceEvent(key, e);
    }
  };
  auto envelopeWith = [&](const std::string& type, int version, nlohmann::json payload) {
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = type;
    e.version = version;
    e.timestampMs = nowMillis();
    e.source = "it";
    e.payload = std::move(payload);
    return e.encode();
  };
  auto goodPayload = workload.next().second.payload;
  struct Bad {
    std::string key, value, errorClass;
  };
  auto wrongType = goodPayload;
  wrongType["qrCodeId"] = 42;
  auto badIp = goodPayload;
  badIp["ip"] = "300.1.2.3";
  std::vector<Bad> bad = {
      {"qr-x", "{this is not json", "malformed-json"},
      {"qr-x", "[1,2,3]", "invalid-envelope"},
      {"qr-x", envelopeWith("scan.recorded", 1, wrongType), "schema-violation"},
      {"qr-x", envelopeWith("scan.recorded", 1, badIp), "schema-violation"},
      {"qr-x", envelopeWith("scan.deleted", 1, goodPayload), "unknown-event-type"},
      {"qr-x", envelopeWith("scan.recorded", 9, goodPayload), "unsupported-event-version"},
      {"qr-x", envelopeWith("scan.recorded", 1, {{"qrCodeId", std::string(5000, 'q')}}), "oversized"},
      {"", envelopeWith("scan.recorded", 1, goodPayload), "missing-key"},
  };
  for (const auto& b : bad) {
    valid(100);
    run.produceRaw(b.key, b.value, {{"event-type", "scan.recorded"}, {"correlation-id", "bad-" + b.errorClass}});
  }
  valid(100);
  run.flush();
  REQUIRE(run.waitCaughtUp(60s));
  checkNoDifferences(run);
  CHECK(run.expected().total() == 900);

  auto dead = run.deadLetters();
  REQUIRE(dead.size() == bad.size());
  std::multiset<std::string> classes;
  for (const auto& d : dead) {
    classes.insert(d.headers.at("dlq-error-class"));
    CHECK(d.headers.at("dlq-service") == "scan-analytics");
    CHECK(d.headers.at("dlq-original-topic") == run.topic());
    CHECK(std::stoll(d.headers.at("dlq-original-offset")) >= 0);
    CHECK(std::stoi(d.headers.at("dlq-original-partition")) >= 0);
    CHECK(!d.headers.at("dlq-error-message").empty());
    CHECK(parseRfc3339Millis(d.headers.at("dlq-failed-at")));
    CHECK(d.headers.at("dlq-attempts") == "1");
    CHECK(d.headers.at("correlation-id").rfind("bad-", 0) == 0);  // original headers kept
    // Original key and bytes, byte for byte.
    bool matched = false;
    for (const auto& b : bad) matched = matched || (b.value == d.value && b.key == d.key);
    CHECK(matched);
  }
  for (const auto& b : bad) CHECK(classes.count(b.errorClass) >= 1);

  int status = 0;
  auto metrics = httpGet(run.lastMetricsPort(), "/metrics", &status);
  CHECK(metrics.find("qrfleet_dead_letters_total{error_class=\"malformed-json\"") != std::string::npos);
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("a worker SIGKILLed at random points five times during 200k events ends with exact counts") {
  ScanRun run("crash", 12);
  loadgen::ScanWorkload workload(testWorkload(303, 2000));
  run.produceWorkload(workload, 200000);
  std::mt19937 rng(std::random_device{}());
  for (int kill = 0; kill < 5; ++kill) {
    auto before = run.applied();
    auto worker = run.startWorker({{"BATCH_MAX_EVENTS", std::to_string(500 + rng() % 3000)}});
    // Wait until it is applying (the group first waits out the killed member's
    // session), then kill it at a random point of the stream.
    REQUIRE(waitUntil([&] { return run.applied() > before; }, 60s, 50ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1500));
    CHECK(worker->running());
    worker->kill(SIGKILL);
    CHECK(worker->wait(10s) == 128 + SIGKILL);
    auto after = run.applied();
    MESSAGE("kill " << kill + 1 << ": " << before << " -> " << after << " events applied");
    CHECK(after < 200000);
  }
  auto worker = run.startWorker();
  REQUIRE(run.waitCaughtUp(300s));
  CHECK(run.expected().total() == 200000);
  checkNoDifferences(run);
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("SIGTERM mid-batch exits 0 within 10 s; nothing is lost or doubled") {
  ScanRun run("sigterm", 6);
  loadgen::ScanWorkload workload(testWorkload(404, 500));
  run.produceWorkload(workload, 60000);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "3000"}});
  REQUIRE(waitUntil([&] { return run.applied() > 3000; },
                    60s));
  worker->kill(SIGTERM);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(worker->wait(10s) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  auto applied = run.applied();
  MESSAGE("applied before shutdown: " << applied);
  CHECK(applied < 60000);  // it really was mid-stream

  auto again = run.startWorker();
  REQUIRE(run.waitCaughtUp(120s));
  checkNoDifferences(run);
  again->kill(SIGTERM);
  CHECK(again->wait(15s) == 0);
}

TEST_CASE("bad configuration stops the worker at start with a message naming the variable") {
  auto stack = TestStack::fromEnvironment();
  std::string log = std::string(QRFLEET_TEST_LOG_DIR) + "/badconfig.log";
  std::remove(log.c_str());
  WorkerProcess w(stack.binDir + "/qrfleet-scan-analytics",
                  {{"KAFKA_BROKERS", stack.brokers},
                   {"DATABASE_URL", "mysql://nope"},
                   {"REDIS_URL", stack.redisUrl},
                   {"BATCH_MAX_EVENTS", "many"},
                   {"SCAN_BURST_THRESHOLD", "0"}},
                  log);
  CHECK(w.wait(10s) == 2);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("DATABASE_URL") != std::string::npos);
  CHECK(text.find("BATCH_MAX_EVENTS: 'many' is not an integer") != std::string::npos);
  CHECK(text.find("SCAN_BURST_THRESHOLD: 0 is out of range") != std::string::npos);
}
