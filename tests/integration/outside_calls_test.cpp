// The runtime's outside calls, with the test-caller worker and a local HTTP
// provider (tests/provider) against the real stack: the attempt ledger across
// kills and re-runs, failure classification, failover, shared rate limits,
// outputs once across re-runs, a worker without Redis.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "provider_server.h"
#include "qrfleet/batch_handler.h"
#include "qrfleet/event_id.h"
#include "qrfleet/outside/outside_calls.h"
#include "qrfleet/runtime/runtime_tables.h"
#include "worker_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {

WorkerRun callerRun(const std::string& name, int partitions) {
  return WorkerRun({"qrfleet-test-caller", "caller", "caller-" + name, {{"caller-" + name, partitions}}, {}, true, false, {}});
}

std::map<std::string, std::string> callerEnv(const ProviderServer& a, const ProviderServer* b = nullptr,
                                             std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env{
      {"CALLER_PROVIDERS", "a=" + a.url() + (b ? ",b=" + b->url() : "")},
      {"CALLER_TOKEN", "test-token"},
      {"RETRY_TOPIC_DELAYS_MS", "100"},
      {"RETRY_TOPIC_ATTEMPTS", "6"},
      {"CALLER_CIRCUIT_FAILURES", "1000"},
  };
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

std::map<int, std::vector<ProviderRequest>> byN(const std::vector<ProviderRequest>& requests) {
  std::map<int, std::vector<ProviderRequest>> out;
  for (const auto& r : requests) out[r.n].push_back(r);
  return out;
}

struct Delivered {
  int n;
  std::string detail;
  bool fromLedger;
};
std::vector<Delivered> delivered(const WorkerRun& run) {
  pqxx::connection c(run.stack().databaseUrl);
  pqxx::read_transaction t(c);
  std::vector<Delivered> out;
  for (const auto& r : t.exec("SELECT n, detail, from_ledger FROM caller.delivered ORDER BY n"))
    out.push_back({r[0].as<int>(), r[1].as<std::string>(), r[2].as<bool>()});
  return out;
}

}  // namespace

TEST_CASE("outside calls: 5000 events with SIGKILLs and forced re-runs; no call whose success was recorded is made again") {
  ProviderServer provider("ledger");
  provider.setMode({{"default", "ok"}, {"delayMs", 2}});
  auto run = callerRun("ledger", 4);
  run.produceSteps(0, 5000);
  // Forced re-runs: the handler throws after its calls (the batch is then
  // applied one event at a time), commits are refused after the calls and the
  // outputs, Postgres restarts, and the worker is SIGKILLed at random points.
  auto env = callerEnv(provider, nullptr,
                       {{"CALLER_THROW_ONCE", "100,1700,3300"}, {"CALLER_REFUSE_COMMIT_ONCE", "600,2500,4100"},
                        {"BATCH_MAX_EVENTS", "300"}, {"OUTSIDE_CONCURRENCY", "32"}, {"RETRY_MAX_MS", "1000"}});
  std::mt19937 rng(11);
  int kills = 0;
  for (int round = 0; round < 4; ++round) {
    auto worker = run.startWorker(env);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(700, 2500)(rng)));
    if (round == 1) {
      run.stack().crash("postgres");
      std::this_thread::sleep_for(1s);
      run.stack().start("postgres");
      std::this_thread::sleep_for(1s);
    }
    worker->kill(SIGKILL);
    worker->wait(10s);
    ++kills;
  }
  auto worker = run.startWorker(env);
  REQUIRE(run.waitCaughtUp(180s));

  auto rows = delivered(run);
  std::set<int> ns;
  int fromLedger = 0;
  for (const auto& d : rows) {
    ns.insert(d.n);
    fromLedger += d.fromLedger;
  }
  CHECK(rows.size() == 5000);
  CHECK(ns.size() == 5000);
  CHECK(run.count("SELECT count(*) FROM caller.outside_steps WHERE status = 'succeeded'") == 5000);
  // Re-runs were answered from the ledger, not by calling again.
  CHECK(fromLedger > 0);

  std::map<std::string, double> recordedAt;  // idempotency key -> when its success was recorded
  {
    pqxx::connection c(run.stack().databaseUrl);
    pqxx::read_transaction t(c);
    for (const auto& r : t.exec("SELECT step_key::text, extract(epoch FROM recorded_at) FROM caller.outside_steps"
                                " WHERE status = 'succeeded'"))
      recordedAt[r[0].as<std::string>()] = r[1].as<double>();
  }
  auto requests = provider.requests();
  std::map<std::string, int> accepted;
  int afterRecorded = 0;
  for (const auto& r : requests) {
    if (r.status == 200) accepted[r.key]++;
    auto rec = recordedAt.find(r.key);
    if (rec != recordedAt.end() && r.at > rec->second) ++afterRecorded;
  }
  int keysCalledTwice = 0;
  for (const auto& [k, n] : accepted) keysCalledTwice += n > 1;
  MESSAGE(requests.size() << " requests for 5000 events; " << keysCalledTwice
                          << " events called again after a kill landed between the call and its record ("
                          << kills << " SIGKILLs, the at-least-once window); " << fromLedger
                          << " events applied from recorded outcomes");
  CHECK(accepted.size() == 5000);  // every event's call was made
  for (const auto& [key, at] : recordedAt) CHECK_MESSAGE(accepted.count(key), "recorded success without a call: " << key);
  CHECK(afterRecorded == 0);  // never a call after its success was recorded
  // Only calls in flight at a kill can be repeated: at most the pool per kill.
  CHECK(keysCalledTwice <= kills * 32);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("outside calls: 429 with Retry-After is honoured, a 4xx is dead-lettered once, a 5xx is retried") {
  ProviderServer provider("classify");
  provider.setMode({{"default", "ok"},
                    {"retryAfterSeconds", 2},
                    {"perN", {{"1", {"429", "ok"}}, {"2", {"400"}}, {"3", {"500", "500", "ok"}}}}});
  auto run = callerRun("classify", 1);
  auto sent = run.produceSteps(0, 5, "one-key");  // offset == n
  auto worker = run.startWorker(callerEnv(provider));
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 4; }, 60s));
  REQUIRE(run.waitCaughtUp(60s));

  std::set<int> got;
  for (const auto& d : delivered(run)) got.insert(d.n);
  CHECK(got == std::set<int>{0, 1, 3, 4});
  auto calls = byN(provider.requests());
  REQUIRE(calls[1].size() == 2);
  double waited = calls[1][1].at - calls[1][0].at;
  MESSAGE("the 429 with Retry-After: 2 was tried again after " << waited << " s (retry-topic delay 0.1 s)");
  CHECK(waited >= 2.0);
  CHECK(calls[2].size() == 1);  // permanent: never called again
  CHECK(calls[3].size() == 3);  // transient twice, then accepted
  auto dead = run.deadLetters();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].headers.at("dlq-error-class") == "outside-refused");
  CHECK(dead[0].headers.at("dlq-original-offset") == "2");
  CHECK(dead[0].headers.at("event-id") == sent[2].eventId);
  CHECK(dead[0].headers.at("dlq-error-message").find("HTTP 400") != std::string::npos);
  CHECK(run.retryCopies().size() == 3);  // n=1 once, n=3 twice
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("outside calls: a failing provider's circuit opens, the next one takes over, and it comes back half-open") {
  ProviderServer a("circuit-a"), b("circuit-b");
  a.setMode({{"default", "500"}});
  auto run = callerRun("circuit", 2);
  run.produceSteps(0, 100);
  auto worker = run.startWorker(callerEnv(a, &b, {{"CALLER_CIRCUIT_FAILURES", "3"}, {"CALLER_CIRCUIT_COOL_DOWN_MS", "1500"},
                                                  {"OUTSIDE_TARGET_CONCURRENCY", "4"}}));
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 100; }, 60s));
  auto firstA = a.requests().size();
  MESSAGE("provider A (answering 500) got " << firstA << " of the first 100 calls before its circuit opened");
  CHECK(firstA >= 3);
  CHECK(firstA <= 3 + 4);  // the threshold, plus calls already in flight when it opened
  CHECK(b.requests().size() == 100);
  for (const auto& d : delivered(run)) CHECK(d.detail.rfind("b: HTTP 200", 0) == 0);

  a.setMode({{"default", "ok"}});
  std::this_thread::sleep_for(1600ms);  // the cool-down is over: the next call is A's half-open probe
  // One call alone first, so that it is the probe however slow the machine:
  // calls made while a probe is out go to B, and how many those are is timing.
  run.produceSteps(100, 101);
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 101; }, 60s));
  run.produceSteps(101, 150);
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 150; }, 60s));
  int viaA = 0;
  for (const auto& d : delivered(run))
    if (d.n >= 100) viaA += d.detail.rfind("a: HTTP 200", 0) == 0;
  MESSAGE(viaA << " of the 50 later calls went to A again");
  CHECK(viaA == 50);  // the probe succeeded and closed A's circuit
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("outside calls: a rate limit shared by two replicas holds across both") {
  ProviderServer provider("ratelimit");
  // Two replicas with topics and groups of their own, so each calls for 200
  // events whatever the partition assignment: 400 calls under one 20/s bucket
  // take about 20 s; with a bucket per replica they would take 10.
  auto first = callerRun("ratelimit", 4);
  auto second = callerRun("ratelimit-b", 4);
  auto env = callerEnv(provider, nullptr, {{"CALLER_RATE_PER_SECOND", "20"}, {"CALLER_RATE_BURST", "5"},
                                           {"CALLER_RATE_MAX_WAIT_MS", "3000"}});
  first.produceSteps(0, 200);
  second.produceSteps(1000, 1200);
  auto w1 = first.startWorker(env);
  auto w2 = second.startWorker(env);
  REQUIRE(waitUntil([&] { return provider.requests().size() >= 400; }, 120s, 500ms));
  auto requests = provider.requests();
  std::sort(requests.begin(), requests.end(), [](const auto& x, const auto& y) { return x.at < y.at; });
  std::map<std::string, int> perInstance;
  for (const auto& r : requests) perInstance[r.instance]++;
  // A token bucket of 20/s with a burst of 5: no interval of T seconds holds
  // more than 5 + 20 T calls (one more for the clocks' granularity).
  double worst = 0;
  for (std::size_t i = 0; i < requests.size(); ++i)
    for (std::size_t j = i; j < requests.size(); ++j) {
      double allowed = 5 + 20 * (requests[j].at - requests[i].at) + 1;
      worst = std::max(worst, static_cast<double>(j - i + 1) - allowed);
    }
  double span = requests.back().at - requests.front().at;
  MESSAGE(requests.size() << " calls in " << span << " s from " << perInstance.size()
                          << " replicas; worst excess over the bucket: " << worst);
  CHECK(requests.size() == 400);
  REQUIRE(perInstance.size() == 2);
  for (const auto& [instance, n] : perInstance) CHECK_MESSAGE(n == 200, instance << " made " << n << " calls");
  CHECK(worst <= 0);
  CHECK(span >= (400 - 5) / 20.0 - 0.5);
  CHECK(first.count("SELECT count(*) FROM caller.delivered") == 400);
  w1->kill(SIGTERM);
  w2->kill(SIGTERM);
  CHECK(w1->wait(15s) == 0);
  CHECK(w2->wait(15s) == 0);
}

TEST_CASE("outside calls: dead letters and retry copies are published once although their batch runs again") {
  ProviderServer provider("outputs");
  provider.setMode({{"default", "ok"}, {"perN", {{"3", {"400"}}, {"5", {"500"}}}}});
  auto run = callerRun("outputs", 1);
  run.produceSteps(0, 10, "one-key");  // one batch; offset == n
  // The first commit of the batch is refused after its dead letter (n=3) and
  // retry copy (n=5) were acknowledged: the batch is applied again event by event.
  auto worker = run.startWorker(callerEnv(provider, nullptr, {{"CALLER_REFUSE_COMMIT_ONCE", "8"},
                                                              {"RETRY_TOPIC_ATTEMPTS", "2"}}));
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 8; }, 60s));
  REQUIRE(run.waitCaughtUp(60s));
  REQUIRE(waitUntil([&] { return run.deadLetters().size() >= 2; }, 30s));
  auto dead = run.deadLetters();
  std::map<std::string, int> classes;
  for (const auto& d : dead) classes[d.headers.at("dlq-original-offset") + " " + d.headers.at("dlq-error-class")]++;
  CHECK(dead.size() == 2);
  CHECK(classes["3 outside-refused"] == 1);
  CHECK(classes["5 retries-exhausted"] == 1);
  CHECK(run.retryCopies().size() == 1);  // n=5, once
  // The refusal of n=3 is not final (a redrive must call again), so the re-run
  // called it a second time; its dead letter was still published once.
  CHECK(byN(provider.requests())[3].size() == 2);
  CHECK(run.count("SELECT count(*) FROM caller.delivered WHERE from_ledger") >= 1);
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("outside calls: one key's calls go out in order and stop at the first failure") {
  ProviderServer provider("order");
  provider.setMode({{"default", "ok"}, {"perN", {{"2", {"500", "ok"}}}}});
  auto run = callerRun("order", 1);
  run.produceSteps(0, 6, "one-recipient");
  auto worker = run.startWorker(callerEnv(provider, nullptr, {{"CALLER_ORDER_BY_KEY", "true"}}));
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 6; }, 60s));
  std::vector<int> order;
  for (const auto& r : provider.requests()) order.push_back(r.n);
  std::ostringstream seen;
  for (int n : order) seen << n << " ";
  MESSAGE("requests in arrival order: " << seen.str());
  // 0 and 1 go out, 2 fails and holds 3..5 back (not called); its retry goes
  // first, then the rest in order.
  CHECK(order == std::vector<int>{0, 1, 2, 2, 3, 4, 5});
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("outside calls: a worker without Redis starts, applies and is ready") {
  ProviderServer provider("noredis");
  auto run = callerRun("noredis", 2);
  run.produceSteps(0, 20);
  auto worker = run.startWorker(callerEnv(provider), {"REDIS_URL"});
  int port = run.lastMetricsPort();
  REQUIRE(waitUntil([&] { return run.count("SELECT count(*) FROM caller.delivered") == 20; }, 60s));
  int status = 0;
  httpGet(port, "/readyz", &status);
  CHECK(status == 200);
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

namespace {
// OutsideCalls itself over the stack's Postgres (its ledger), without a worker.
struct DirectCalls {
  TestStack stack = TestStack::fromEnvironment();
  JsonLogger log{"outside-direct", LogLevel::warn, std::cerr};
  RuntimeMetrics metrics{"outside-direct", "test"};
  std::atomic<bool> stop{false};
  pqxx::connection ledger{stack.databaseUrl};
  OutsideCalls calls;
  std::vector<Envelope> envelopes;
  std::vector<ConsumedEvent> events;

  DirectCalls(const std::string& schema, OutsideLimits limits, int eventCount)
      : calls(schema, stack.databaseUrl, limits, log, metrics, stop) {
    stack.dropSchema(schema);
    ensureRuntimeTables(ledger, schema);
    for (int i = 0; i < eventCount; ++i) {
      ConsumedEvent e;
      e.envelope.eventId = randomUuid();
      e.offset = i;
      events.push_back(std::move(e));
    }
  }
};
}  // namespace

TEST_CASE("outside calls: steps sharing a batch call go out together, each recorded on its own") {
  DirectCalls d("outside_batch", {}, 1200);
  std::mutex mutex;
  std::vector<std::size_t> callSizes;
  auto batch = std::make_shared<OutsideBatchCall>();
  batch->maxSteps = 500;
  batch->call = [&](std::span<const OutsideStep* const> steps, std::span<const OutsideCall> calls) {
    std::lock_guard lock(mutex);
    callSizes.push_back(steps.size());
    std::vector<StepOutcome> out;
    for (std::size_t k = 0; k < steps.size(); ++k)
      out.push_back(steps[k]->event->offset == 7 ? StepOutcome::permanent("refused")
                                                 : StepOutcome::success("id-" + calls[k].idempotencyKey));
    return out;
  };
  std::vector<OutsideStep> steps;
  for (const auto& e : d.events) {
    OutsideStep s{&e, "push", "push-api", "", {}};
    s.batch = batch;
    steps.push_back(std::move(s));
  }
  auto outcomes = d.calls.run(steps, d.ledger, false);
  std::sort(callSizes.begin(), callSizes.end());
  CHECK(callSizes == std::vector<std::size_t>{200, 500, 500});
  REQUIRE(outcomes.size() == 1200);
  CHECK(outcomes[7].status == StepStatus::failedPermanently);
  CHECK(outcomes[8].detail == "id-" + AttemptLedger::key(d.events[8].envelope.eventId, "push"));
  // Run again: the successes come from the ledger, only the refused step is called (refusals are not final).
  callSizes.clear();
  auto again = d.calls.run(steps, d.ledger, false);
  CHECK(callSizes == std::vector<std::size_t>{1});
  CHECK(again[8].fromLedger);
  CHECK(again[8].detail == outcomes[8].detail);
}

TEST_CASE("outside calls: a busy pool calls higher-priority steps first") {
  OutsideLimits limits;
  limits.workerConcurrency = 1;
  DirectCalls d("outside_priority", limits, 12);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<OutsideStep> steps;
  for (const auto& e : d.events) {
    int priority = e.offset >= 9 ? 2 : 0;  // the last three are urgent
    OutsideStep s{&e, "send", "sms", "", [&, n = static_cast<int>(e.offset)](const OutsideCall&) {
                    std::lock_guard lock(mutex);
                    order.push_back(n);
                    return StepOutcome::success();
                  }};
    s.priority = priority;
    steps.push_back(std::move(s));
  }
  d.calls.run(steps, d.ledger, false);
  REQUIRE(order.size() == 12);
  CHECK(std::vector<int>(order.begin(), order.begin() + 3) == std::vector<int>{9, 10, 11});
}
