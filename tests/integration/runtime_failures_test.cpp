// The runtime's failure paths, with the test-probe worker, against the real stack:
// handler errors, isolation of a failing event, retry topics, dead letters.
#include <doctest/doctest.h>
#include <signal.h>

#include "probe_run.h"
#include "qrfleet/runtime/retry_schedule.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

TEST_CASE("dead-letter acceptance: the event at offset 10 always fails, the one at 20 fails once") {
  ProbeRun run("dlq", 1);
  auto sent = run.produce(0, 100, "same-key");  // one partition, one key: offset == n
  auto worker = run.startWorker({{"PROBE_FAIL_ALWAYS", "10"}, {"PROBE_FAIL_ONCE", "20"},
                                 {"HANDLER_MAX_ATTEMPTS", "3"}, {"BATCH_MAX_EVENTS", "100"}});
  REQUIRE(run.waitCaughtUp(60s));

  auto applied = run.appliedAttempts();
  CHECK(applied.size() == 99);
  CHECK(applied.count(10) == 0);
  CHECK(applied.count(20) == 1);

  // Attempts of event 10 on its own: exactly HANDLER_MAX_ATTEMPTS. (It may
  // also have been in the batch whose failure started the isolation.)
  auto tries = run.attempts(10);
  int alone = 0;
  for (const auto& a : tries) {
    CHECK(a.outcome == "threw");
    if (a.batchSize == 1) ++alone;
  }
  CHECK(alone == 3);
  CHECK(tries.size() <= 4);

  auto dead = run.deadLetters();
  REQUIRE(dead.size() == 1);
  const auto& d = dead.front();
  CHECK(d.key == "same-key");
  CHECK(d.value == sent[10].encode());
  CHECK(d.headers.at("dlq-original-offset") == "10");
  CHECK(d.headers.at("dlq-original-partition") == "0");
  CHECK(d.headers.at("dlq-error-class") == "handler-rejected");
  CHECK(d.headers.at("dlq-attempts") == "3");
  CHECK(d.headers.at("dlq-service") == "test-probe");
  CHECK(d.headers.at("event-type") == "probe.step");
  CHECK(d.headers.at("event-id") == sent[10].eventId);
  CHECK(d.headers.at("correlation-id") == "corr-10");
  CHECK(d.headers.at("dlq-error-message").find("always fails") != std::string::npos);

  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("a poison event holds its partition back by no more than its attempts and backoffs") {
  ProbeRun run("poisonlag", 2);
  run.produce(0, 200, "one-key");
  auto worker = run.startWorker({{"PROBE_FAIL_ALWAYS", "50,120"}, {"HANDLER_MAX_ATTEMPTS", "3"},
                                 {"RETRY_INITIAL_MS", "100"}, {"RETRY_MAX_MS", "400"}});
  REQUIRE(run.waitCaughtUp(60s));
  CHECK(run.appliedAttempts().size() == 198);
  CHECK(run.deadLetters().size() == 2);
  for (int n : {50, 120}) {
    auto tries = run.attempts(n);
    REQUIRE(!tries.empty());
    // From the first failure to the last: at most (attempts - 1) backoffs of
    // RETRY_MAX_MS each, plus slack for the batch that revealed it.
    double held = tries.back().atSeconds - tries.front().atSeconds;
    MESSAGE("event " << n << " held its partition for " << held << " s over " << tries.size() << " attempts");
    CHECK(held <= 2 * 0.4 + 2.0);
  }
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("retry topic: an event is retried when due, then applied; one that keeps failing is dead-lettered") {
  ProbeRun run("retrytopic", 2);
  auto sent = run.produce(0, 40);
  auto worker = run.startWorker({{"PROBE_RETRY_UNTIL_ATTEMPT3", "5"}, {"PROBE_RETRY_ALWAYS", "7"},
                                 {"RETRY_TOPIC_ATTEMPTS", "3"}, {"RETRY_TOPIC_DELAYS_MS", "700,1400"}});
  REQUIRE(run.waitCaughtUp(60s));
  auto applied = run.appliedAttempts();
  CHECK(applied.size() == 39);
  CHECK(applied.at(5) == 3);
  CHECK(applied.at(6) == 1);
  CHECK(applied.count(7) == 0);

  // Each retry waited at least its due time: attempt 2 after 700 ms, attempt 3 after 1400 ms more.
  auto tries = run.attempts(5);
  REQUIRE(tries.size() == 3);
  CHECK(tries[1].atSeconds - tries[0].atSeconds >= 0.7);
  CHECK(tries[2].atSeconds - tries[1].atSeconds >= 1.4);

  auto dead = run.deadLetters();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].headers.at("dlq-error-class") == "retries-exhausted");
  CHECK(dead[0].headers.at("dlq-attempts") == "3");
  CHECK(dead[0].headers.at("dlq-original-topic") == run.topic());
  CHECK(dead[0].value == sent[7].encode());
  CHECK(dead[0].key == "k7");
  for (const auto& [k, v] : dead[0].headers) CHECK_MESSAGE(k.rfind("retry-", 0) != 0, "leftover header " << k);

  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);
}

TEST_CASE("a rejected event is dead-lettered at once; qrfleet dlq lists, shows and redrives it once") {
  ProbeRun run("reject", 1);
  auto sent = run.produce(0, 30, "k");
  auto worker = run.startWorker({{"PROBE_REJECT", "3"}});
  REQUIRE(run.waitCaughtUp(60s));
  CHECK(run.appliedAttempts().size() == 29);
  CHECK(run.attempts(3).size() == 1);
  auto dead = run.deadLetters();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].headers.at("dlq-attempts") == "1");
  worker->kill(SIGTERM);
  CHECK(worker->wait(15s) == 0);

  const std::string cli = run.stack().binDir + "/qrfleet ";
  int rc = -1;
  auto listed = runCommand(cli + "dlq list --service test-probe --topic " + run.topic(), &rc);
  CHECK(rc == 0);
  CHECK(listed.find(run.topic() + "/0:3") != std::string::npos);
  CHECK(listed.find("handler-rejected") != std::string::npos);
  CHECK(listed.find("1 dead letter(s)") != std::string::npos);
  auto position = listed.substr(listed.find('\n') + 1);
  position = position.substr(0, position.find(' '));
  auto shown = nlohmann::json::parse(runCommand(cli + "dlq show " + position, &rc));
  CHECK(rc == 0);
  CHECK(shown["key"] == "k");
  CHECK(shown["headers"]["event-id"] == sent[3].eventId);
  CHECK(shown["payload"]["payload"]["n"] == 3);

  auto dry = runCommand(cli + "dlq redrive --dry-run --topic " + run.topic() + " 2>&1", &rc);
  CHECK_MESSAGE(dry.find("dry run: 1 would be redriven") != std::string::npos, "dlq redrive --dry-run said:\n" << dry);
  // The handler no longer refuses n = 3: the redriven event applies.
  auto fixed = run.startWorker();
  auto redriven = runCommand(cli + "dlq redrive --service test-probe --error-class handler-rejected --topic " +
                                 run.topic(), &rc);
  CHECK(rc == 0);
  CHECK_MESSAGE(redriven.find("redriven: 1;") != std::string::npos, "dlq redrive said:\n" << redriven << "\nlist said:\n" << listed);
  REQUIRE(run.waitCaughtUp(60s));
  CHECK(run.appliedAttempts().size() == 30);
  auto again = runCommand(cli + "dlq redrive --topic " + run.topic(), &rc);
  CHECK(again.find("redriven: 0; skipped, redriven before: 1") != std::string::npos);
  listed = runCommand(cli + "dlq list --topic " + run.topic(), &rc);
  CHECK(listed.find(" yes ") != std::string::npos);
  fixed->kill(SIGTERM);
  CHECK(fixed->wait(15s) == 0);
}
