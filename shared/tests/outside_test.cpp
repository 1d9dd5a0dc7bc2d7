#include <doctest/doctest.h>

#include <thread>

#include "qrfleet/outside/circuit_breaker.h"
#include "qrfleet/config.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/provider_failover.h"
#include "qrfleet/runtime/runtime_settings.h"

using namespace qrfleet;
using namespace std::chrono_literals;

TEST_CASE("a circuit opens after the threshold, lets one probe through after the cool-down, and closes on its success") {
  auto now = CircuitBreaker::Clock::now();
  CircuitBreaker b({3, 1000ms}, [&] { return now; });
  CHECK(b.allow());
  b.failed();
  b.failed();
  CHECK(b.state() == CircuitBreaker::State::closed);
  b.failed();
  CHECK(b.state() == CircuitBreaker::State::open);
  CHECK_FALSE(b.allow());
  CHECK(b.coolDownLeft() == 1000ms);
  now += 999ms;
  CHECK_FALSE(b.allow());
  now += 1ms;
  CHECK(b.allow());        // the probe
  CHECK_FALSE(b.allow());  // only one at a time
  CHECK(b.state() == CircuitBreaker::State::halfOpen);
  b.succeeded();
  CHECK(b.state() == CircuitBreaker::State::closed);
  CHECK(b.allow());
}

TEST_CASE("a failed half-open probe opens the circuit again for a whole cool-down") {
  auto now = CircuitBreaker::Clock::now();
  CircuitBreaker b({1, 500ms}, [&] { return now; });
  b.failed();
  now += 500ms;
  REQUIRE(b.allow());
  b.failed();
  CHECK(b.state() == CircuitBreaker::State::open);
  CHECK(b.coolDownLeft() == 500ms);
}

TEST_CASE("HTTP outcomes: 2xx succeeds, 401/403/408/409/425/429/5xx and no answer are transient, other 4xx permanent") {
  HttpResponse r;
  r.status = 202;
  CHECK(classifyHttp(r).status == StepStatus::succeeded);
  for (long s : {400L, 402L, 404L, 422L}) {
    r.status = s;
    CHECK_MESSAGE(classifyHttp(r).status == StepStatus::failedPermanently, s);
  }
  for (long s : {401L, 403L, 408L, 409L, 425L, 429L, 500L, 502L, 503L}) {
    r.status = s;
    CHECK_MESSAGE(classifyHttp(r).status == StepStatus::failedTransiently, s);
  }
  r.status = 429;
  r.headers["retry-after"] = "7";
  CHECK(classifyHttp(r).retryAfter == 7000ms);
  HttpResponse timeout;
  timeout.failure = HttpResponse::Failure::timeout;
  timeout.error = "Operation timed out after 2000 milliseconds";
  auto o = classifyHttp(timeout);
  CHECK(o.status == StepStatus::failedTransiently);
  CHECK(o.detail.find("timeout") == 0);
}

TEST_CASE("Retry-After as seconds or as an HTTP date") {
  CHECK(parseRetryAfter("120", 0) == 120000ms);
  CHECK(parseRetryAfter("", 0) == 0ms);
  CHECK(parseRetryAfter("soon", 0) == 0ms);
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  CHECK(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30) == 30000ms);
  CHECK(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30) == 0ms);  // in the past
}

TEST_CASE("failover: a provider that keeps failing is skipped until its cool-down is over; a refusal does not count") {
  RuntimeMetrics metrics("unit", "0");
  ProviderFailover f("push", {"a", "b"}, {2, 50ms}, metrics);
  std::map<std::string, int> calls;
  bool aDown = true;
  auto attempt = [&](const std::string& p) {
    calls[p]++;
    if (p == "a" && aDown) return StepOutcome::transient("no connection", {}, true);
    return StepOutcome::success("HTTP 200");
  };
  for (int i = 0; i < 10; ++i) CHECK(f.call(attempt).detail == "b: HTTP 200");
  CHECK(calls["a"] == 2);  // then its circuit opened
  CHECK(f.state("a") == CircuitBreaker::State::open);
  aDown = false;
  std::this_thread::sleep_for(60ms);
  CHECK(f.call(attempt).detail == "a: HTTP 200");  // the half-open probe
  CHECK(f.state("a") == CircuitBreaker::State::closed);
  auto refused = f.call([](const std::string&) { return StepOutcome::permanent("HTTP 400"); });
  CHECK(refused.status == StepStatus::failedPermanently);
  CHECK(f.state("a") == CircuitBreaker::State::closed);
}

TEST_CASE("failover: after a failure that may have reached the provider (a timeout) the call is not sent elsewhere") {
  RuntimeMetrics metrics("unit", "0");
  ProviderFailover f("push", {"a", "b"}, {5, 10000ms}, metrics);
  std::map<std::string, int> calls;
  auto o = f.call([&](const std::string& p) {
    calls[p]++;
    return p == "a" ? StepOutcome::transient("timeout") : StepOutcome::success("HTTP 200");
  });
  CHECK(o.status == StepStatus::failedTransiently);
  CHECK(o.detail == "a: timeout");
  CHECK(calls["b"] == 0);
}

TEST_CASE("failover: a call that throws ends the half-open probe") {
  RuntimeMetrics metrics("unit", "0");
  ProviderFailover f("push", {"a"}, {1, 20ms}, metrics);
  f.call([](const std::string&) { return StepOutcome::transient("no connection", {}, true); });
  std::this_thread::sleep_for(30ms);
  CHECK_THROWS(f.call([](const std::string&) -> StepOutcome { throw std::runtime_error("bug in the step"); }));
  CHECK(f.state("a") == CircuitBreaker::State::open);
  std::this_thread::sleep_for(30ms);
  CHECK(f.call([](const std::string&) { return StepOutcome::success("ok"); }).status == StepStatus::succeeded);
}

TEST_CASE("failover: with every circuit open the call is transient, due when the first cool-down ends") {
  RuntimeMetrics metrics("unit", "0");
  ProviderFailover f("sms", {"a"}, {1, 10000ms}, metrics);
  f.call([](const std::string&) { return StepOutcome::transient("HTTP 500"); });
  auto o = f.call([](const std::string&) -> StepOutcome { FAIL("an open circuit was called"); return {}; });
  CHECK(o.status == StepStatus::failedTransiently);
  CHECK(o.retryAfter > 9000ms);
}

TEST_CASE("outside concurrency limits parse, and a bad override names the variable") {
  std::map<std::string, std::string> vars{{"DATABASE_URL", "postgresql://u@h/db"},
                                          {"OUTSIDE_TARGET_LIMITS", "smtp=4,push-api=50"}};
  EnvConfig good(RuntimeSettings::options(false), [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  });
  auto s = RuntimeSettings::fromConfig(good, false);
  CHECK_NOTHROW(good.finish());
  CHECK(s.outsideLimits.limitOf("smtp") == 4);
  CHECK(s.outsideLimits.limitOf("push-api") == 50);
  CHECK(s.outsideLimits.limitOf("other") == 16);
  vars["OUTSIDE_TARGET_LIMITS"] = "smtp";
  EnvConfig bad(RuntimeSettings::options(false), [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  });
  RuntimeSettings::fromConfig(bad, false);
  CHECK_THROWS_WITH_AS(bad.finish(), doctest::Contains("OUTSIDE_TARGET_LIMITS"), ConfigError);
}
