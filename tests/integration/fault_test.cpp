// Fault tests: scan-analytics against the real stack while parts of it fail.
// Every scenario ends by comparing all read models with the independent oracle.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "qrfleet/time_format.h"
#include "scan_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {

void checkExact(const ScanRun& run, long long total) {
  auto diff = run.differences();
  for (std::size_t i = 0; i < diff.size() && i < 20; ++i) MESSAGE(diff[i]);
  CHECK(diff.empty());
  CHECK(run.applied() == total);
}

bool readyIs(int port, int want) {
  int status = 0;
  try {
    httpGet(port, "/readyz", &status);
  } catch (const std::exception&) {
    return false;
  }
  return status == want;
}

// Brings a crashed part back even when a check fails half-way.
struct Restart {
  const TestStack& stack;
  std::string service;
  bool done = false;
  void now() {
    if (!done) stack.start(service);
    done = true;
  }
  ~Restart() {
    try {
      now();
    } catch (...) {
    }
  }
};
}  // namespace

TEST_CASE("rebalance: three workers under load, one stopped and started again and again, exact counts") {
  ScanRun run("rebalance", 12);
  loadgen::ScanWorkload workload(testWorkload(501, 1000, 3));
  std::map<std::string, std::string> env{{"BATCH_MAX_EVENTS", "500"}, {"KAFKA_SESSION_TIMEOUT_MS", "6000"}};
  auto a = run.startWorker(env);
  auto b = run.startWorker(env);
  auto c = run.startWorker(env);
  std::thread producer([&] {
    for (int i = 0; i < 8; ++i) {
      run.produceWorkload(workload, 10000);
      std::this_thread::sleep_for(500ms);
    }
  });
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(1500ms);
    int signal = round % 2 == 0 ? SIGTERM : SIGKILL;
    c->kill(signal);
    int rc = c->wait(20s);
    CHECK(rc == (signal == SIGTERM ? 0 : 128 + SIGKILL));
    MESSAGE("round " << round + 1 << ": " << (signal == SIGTERM ? "SIGTERM" : "SIGKILL") << " at "
                     << run.applied() << " applied");
    c = run.startWorker(env);
  }
  producer.join();
  REQUIRE(run.waitCaughtUp(180s));
  checkExact(run, 80000);
  for (auto* w : {&a, &b, &c}) {
    (*w)->kill(SIGTERM);
    CHECK((*w)->wait(20s) == 0);
  }
}

TEST_CASE("Kafka broker SIGKILLed and restarted mid-run: the worker recovers on its own, exact counts") {
  ScanRun run("brokerkill", 6);
  loadgen::ScanWorkload workload(testWorkload(502, 500, 3));
  run.produceWorkload(workload, 40000);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "500"}});
  REQUIRE(waitUntil([&] { return run.applied() > 5000; }, 60s, 50ms));
  Restart kafka{run.stack(), "kafka"};
  run.stack().crash("kafka");
  MESSAGE("broker killed at " << run.applied() << " applied");
  std::this_thread::sleep_for(3s);
  kafka.now();
  run.produceWorkload(workload, 10000);  // the producer reconnects too
  REQUIRE(run.waitCaughtUp(240s));
  CHECK(worker->running());
  checkExact(run, 50000);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("Postgres restarted mid-run: the worker backs off, readiness goes false then true, exact counts") {
  ScanRun run("pgrestart", 6);
  loadgen::ScanWorkload workload(testWorkload(503, 500, 3));
  run.produceWorkload(workload, 40000);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "500"}, {"RETRY_MAX_MS", "1000"}});
  int port = run.lastMetricsPort();
  REQUIRE(waitUntil([&] { return run.applied() > 5000; }, 60s, 50ms));
  CHECK(readyIs(port, 200));
  Restart postgres{run.stack(), "postgres"};
  run.stack().crash("postgres");
  CHECK(waitUntil([&] { return readyIs(port, 503); }, 20s, 100ms));
  std::this_thread::sleep_for(3s);
  CHECK(worker->running());
  postgres.now();
  CHECK(waitUntil([&] { return readyIs(port, 200); }, 60s, 200ms));
  REQUIRE(run.waitCaughtUp(180s));
  checkExact(run, 40000);
  auto metrics = httpGet(port, "/metrics");
  CHECK(metrics.find("qrfleet_retries_total{reason=\"postgres") != std::string::npos);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("Redis restarted empty mid-run: the worker rebuilds Redis from Postgres, counters end exact") {
  ScanRun run("redisempty", 6);
  loadgen::ScanWorkload workload(testWorkload(504, 500, 3));
  run.produceWorkload(workload, 40000);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "500"}, {"RETRY_MAX_MS", "1000"}});
  REQUIRE(waitUntil([&] { return run.applied() > 10000; }, 60s, 50ms));
  Restart redis{run.stack(), "redis"};
  run.stack().crash("redis");
  MESSAGE("Redis wiped at " << run.applied() << " applied");
  std::this_thread::sleep_for(2s);
  redis.now();
  run.produceWorkload(workload, 10000);
  REQUIRE(run.waitCaughtUp(180s));
  checkExact(run, 50000);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
  std::ifstream log(worker->logPath());
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("Redis state rebuilt from Postgres") != std::string::npos);
}

TEST_CASE("poison events at 1% interleaved with valid ones: all dead-lettered, all valid applied, no stall") {
  ScanRun run("poison", 6);
  loadgen::ScanWorkload workload(testWorkload(505, 500, 3));
  auto worker = run.startWorker();
  const std::vector<std::string> poison = {"{not json", "[]", R"({"eventId":"x"})", "\xff\xfe"};
  int sentPoison = 0;
  for (int i = 0; i < 20000; ++i) {
    auto [key, e] = workload.next();
    run.produceEvent(key, e);
    if (i % 100 == 50) {
      run.produceRaw(key, poison[static_cast<std::size_t>(sentPoison) % poison.size()]);
      ++sentPoison;
    }
  }
  run.flush();
  REQUIRE(run.waitCaughtUp(120s));
  checkExact(run, 20000);
  CHECK(run.deadLetters().size() == static_cast<std::size_t>(sentPoison));
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("a zombie worker (SIGSTOP past its session) applies and commits nothing it no longer owns") {
  ScanRun run("zombie", 8);
  loadgen::ScanWorkload workload(testWorkload(506, 800, 3));
  run.produceWorkload(workload, 60000);
  // A zombie frozen inside a batch holds its rows until Postgres ends its idle
  // transaction; 8 s instead of the default 30 s keeps the test short (the
  // new owner waits on those locks about that long).
  std::map<std::string, std::string> env{
      {"BATCH_MAX_EVENTS", "300"}, {"KAFKA_SESSION_TIMEOUT_MS", "6000"}, {"PG_IDLE_IN_TRANSACTION_TIMEOUT_MS", "8000"}};
  auto zombie = run.startWorker(env);
  REQUIRE(waitUntil([&] { return run.applied() > 3000; }, 60s, 50ms));
  auto other = run.startWorker(env);
  std::this_thread::sleep_for(4s);  // both own partitions now
  zombie->kill(SIGSTOP);
  auto frozenAt = run.applied();
  MESSAGE("zombie frozen at " << frozenAt << " applied");
  // Events for every partition, the zombie's too, produced after it froze:
  // they can only be applied by the other worker taking its partitions over
  // (a fixed "N more applied" was met, or not, by whatever the workers had
  // left of the first 60,000 when the freeze came).
  run.produceWorkload(workload, 20000);
  // Its session expires and the other worker takes all partitions and applies everything.
  REQUIRE(run.waitCaughtUp(120s));
  zombie->kill(SIGCONT);
  std::this_thread::sleep_for(3s);  // let the zombie try whatever it held
  REQUIRE(run.waitCaughtUp(60s));
  checkExact(run, 80000);
  for (auto* w : {&zombie, &other}) {
    (*w)->kill(SIGTERM);
    CHECK((*w)->wait(20s) == 0);
  }
}

TEST_CASE("replay --verify after a large run rebuilds exactly the state built live") {
  const char* configured = std::getenv("QRFLEET_REPLAY_TEST_EVENTS");
  const long long events = configured ? std::atoll(configured) : 500000;
  ScanRun run("replay", 12);
  loadgen::ScanWorkload workload(testWorkload(507, 3000, 3));
  run.produceWorkload(workload, events);
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "3000"}});
  REQUIRE(run.waitCaughtUp(900s));
  worker->kill(SIGTERM);
  REQUIRE(worker->wait(20s) == 0);
  checkExact(run, events);

  // The CLI refuses while a worker of the group is running...
  auto env = "KAFKA_TOPICS=" + run.topic() + " KAFKA_GROUP_ID=" + run.group() + " ";
  const std::string cli = env + run.stack().binDir + "/qrfleet replay scan-analytics";
  int rc = -1;
  {
    auto running = run.startWorker();
    REQUIRE(waitUntil([&] { return readyIs(run.lastMetricsPort(), 200); }, 60s));
    runCommand(cli + " 2>&1", &rc);
    CHECK(rc != 0);
    running->kill(SIGTERM);
    CHECK(running->wait(20s) == 0);
  }
  CHECK(run.applied() == events);  // ...and changed nothing
  // ...and with the workers stopped, rebuilds and verifies.
  auto out = runCommand(cli + " --verify", &rc);
  MESSAGE(out);
  CHECK(rc == 0);
  CHECK(out.find("verify OK") != std::string::npos);
  CHECK(out.find("replayed " + std::to_string(events) + " events") != std::string::npos);
  checkExact(run, events);
}
