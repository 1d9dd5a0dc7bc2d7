// Handlers run in-process with the worker kit (HandlerHarness): each service's
// own definition against the real Postgres, a rolled-back transaction, a
// RecordingEffects, no Kafka.
#include <doctest/doctest.h>

#include <cstdlib>

#include "caller_definition.h"
#include "qrfleet/testkit/handler_harness.h"
#include "qrfleet/time_format.h"
#include "scan_analytics_definition.h"

using namespace qrfleet;
using namespace qrfleet::testkit;
using namespace std::chrono_literals;

namespace {

std::string databaseUrl() {
  const char* url = std::getenv("DATABASE_URL");
  if (!url || !*url) FAIL("DATABASE_URL is not set: run under scripts/test");
  return url;
}

Envelope step(int n, int version = 1, const std::string& type = "probe.step") {
  Envelope e;
  e.eventType = type;
  e.version = version;
  e.timestampMs = nowMillis();
  e.source = "handler-test";
  e.payload = {{"n", n}};
  return e;
}

}  // namespace

TEST_CASE("handler kit: the caller's outcomes become state, a dead letter and a retry; routes refuse the rest") {
  HandlerHarness h(callerDefinition(), databaseUrl(), {{"CALLER_PROVIDERS", "a=http://127.0.0.1:9"}, {"CALLER_TOKEN", "t"}});
  std::vector<ConsumedEvent> events{h.event("caller-steps", "k0", step(0)), h.event("caller-steps", "k1", step(1)),
                                    h.event("caller-steps", "k2", step(2)), h.event("caller-steps", "k3", step(3, 2)),
                                    h.event("caller-steps", "k4", step(4, 1, "probe.other"))};
  HarnessOptions options;
  options.outside = [](const OutsideStep& s, const OutsideCall& call) {
    CHECK(!call.idempotencyKey.empty());
    if (s.name == "send:message:1") return StepOutcome::permanent("a: HTTP 400");
    if (s.name == "send:message:2") return StepOutcome::transient("a: HTTP 429", 5000ms);
    return StepOutcome::success("a: HTTP 200");
  };
  auto refused = h.run(
      events,
      [&](RecordingEffects& fx) {
        CHECK(fx.sql().exec1("SELECT count(*) FROM caller.delivered WHERE n = 0")[0].as<int>() == 1);
        CHECK(fx.sql().exec1("SELECT count(*) FROM caller.delivered")[0].as<int>() == 1);
        REQUIRE(fx.called.size() == 3);
        CHECK(fx.called[0].step == "send:message:0");
        CHECK(fx.called[0].target == "push-api");
        REQUIRE(fx.rejected.size() == 1);
        CHECK(fx.rejected[0].event->envelope.payload["n"] == 1);
        CHECK(fx.rejected[0].reason == RejectReason::outsideRefused);
        REQUIRE(fx.retried.size() == 1);
        CHECK(fx.retried[0].event->envelope.payload["n"] == 2);
        CHECK(fx.retried[0].notBefore == 5000ms);
        CHECK(fx.redisWrites().empty());
      },
      options);
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].second == RejectReason::unsupportedVersion);
  CHECK(refused[1].second == RejectReason::unknownEventType);
  // Rolled back: nothing stays.
  pqxx::connection c(databaseUrl());
  pqxx::nontransaction t(c);
  CHECK(t.exec1("SELECT count(*) FROM caller.delivered")[0].as<int>() == 0);
}

TEST_CASE("handler kit: a scan becomes a raw event, counters and Redis writes; a bad payload is dead-lettered") {
  HandlerHarness h(scanAnalyticsDefinition(), databaseUrl());
  Envelope scan;
  scan.eventType = "scan.recorded";
  scan.timestampMs = nowMillis();
  scan.source = "handler-test";
  scan.payload = {{"qrCodeId", "qr-kit"}, {"ownerId", "owner-kit"}, {"scannedAt", "2026-11-22T09:15:29Z"},
                  {"ip", "10.0.0.1"}, {"userAgent", "Mozilla/5.0"}};
  Envelope broken = scan;
  broken.payload.erase("qrCodeId");
  std::vector<ConsumedEvent> events{h.event("analytics-events", "qr-kit", scan),
                                    h.event("analytics-events", "qr-kit", broken)};
  h.run(events, [](RecordingEffects& fx) {
    CHECK(fx.sql().exec1("SELECT count(*) FROM analytics.scan_events WHERE qr_code_id = 'qr-kit'")[0].as<int>() == 1);
    CHECK(fx.sql().exec1("SELECT scans FROM analytics.qr_daily WHERE qr_code_id = 'qr-kit'")[0].as<int>() == 1);
    REQUIRE(fx.rejected.size() == 1);
    CHECK(fx.rejected[0].reason == RejectReason::schemaViolation);
    bool counted = false;
    for (const auto& argv : fx.redisWrites())
      if (argv[0] == "INCRBY" && argv[1].rfind("analytics:", 0) == 0 && argv[1].find("qr-kit") != std::string::npos)
        counted = true;
    CHECK(counted);
  });
}
