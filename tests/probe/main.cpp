// qrfleet-test-probe: a worker for the runtime's own tests (retries, retry
// topics, dead letters, isolation of a failing event). Not shipped.
#include "probe_handler.h"
#include "qrfleet/service_definition.h"

namespace qrfleet {
std::span<const EmbeddedFile> probeMigrations();
}

namespace {

qrfleet::ServiceDefinition definition() {
  qrfleet::ServiceDefinition d;
  d.name = "test-probe";
  d.description = "test-only worker: applies probe.step events, fails on request";
  d.consumerGroup = "test-probe";
  qrfleet::FailurePolicy failures;
  failures.retryTopic = true;
  d.routes = {qrfleet::route<qrfleet::probe::ProbeHandler>("probe-steps", "n", {{"probe.step", {1}}},
                                                           &qrfleet::probe::ProbeHandler::handle, failures)};
  d.postgresSchema = "probe";
  d.redisPrefix = "probe";
  d.migrations = qrfleet::probeMigrations();
  d.options = {
      {"PROBE_FAIL_ALWAYS", "n values the handler always throws on", ""},
      {"PROBE_FAIL_ONCE", "n values the handler throws on once", ""},
      {"PROBE_RETRY_ALWAYS", "n values always sent to the retry topic", ""},
      {"PROBE_RETRY_UNTIL_ATTEMPT3", "n values retried until their third attempt", ""},
      {"PROBE_REJECT", "n values rejected (dead-lettered at once)", ""},
  };
  d.makeHandler = [](qrfleet::ServiceContext& ctx) -> std::unique_ptr<qrfleet::BatchHandler> {
    auto& c = ctx.config;
    qrfleet::probe::ProbeBehaviour b{c.integerSet("PROBE_FAIL_ALWAYS"), c.integerSet("PROBE_FAIL_ONCE"),
                                     c.integerSet("PROBE_RETRY_ALWAYS"), c.integerSet("PROBE_RETRY_UNTIL_ATTEMPT3"),
                                     c.integerSet("PROBE_REJECT")};
    return std::make_unique<qrfleet::probe::ProbeHandler>(b, c.string("DATABASE_URL"));
  };
  return d;
}

}  // namespace

int main(int argc, char** argv) { return qrfleet::runService(argc, argv, definition()); }
