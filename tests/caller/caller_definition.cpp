#include "caller_definition.h"

#include <cstdlib>
#include <sstream>

#include "caller_handler.h"

namespace qrfleet {
std::span<const EmbeddedFile> callerMigrations();
}

namespace {

std::vector<std::pair<std::string, std::string>> providers(qrfleet::EnvConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(c.string("CALLER_PROVIDERS"));
  for (std::string item; std::getline(in, item, ',');) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || item.compare(eq + 1, 7, "http://") != 0)
      c.invalid("CALLER_PROVIDERS", "'" + item + "' is not name=http://host:port");
    else
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  if (out.empty()) c.invalid("CALLER_PROVIDERS", "names no provider");
  return out;
}

}  // namespace

qrfleet::ServiceDefinition callerDefinition() {
  qrfleet::ServiceDefinition d;
  d.name = "test-caller";
  d.description = "test-only worker: calls an HTTP provider for each probe.step event";
  d.consumerGroup = "test-caller";
  qrfleet::FailurePolicy failures;
  failures.retryTopic = true;
  d.routes = {qrfleet::route<qrfleet::caller::CallerHandler>("caller-steps", "n", {{"probe.step", {1}}},
                                                             &qrfleet::caller::CallerHandler::handle, failures)};
  d.postgresSchema = "caller";
  // Only a worker with a shared rate limit keeps anything in Redis; without
  // one it runs with no Redis at all (the runtime's Redis-optional path).
  if (const char* rate = std::getenv("CALLER_RATE_PER_SECOND"); rate && *rate) d.redisPrefix = "caller";
  d.migrations = qrfleet::callerMigrations();
  d.options = {
      {"CALLER_PROVIDERS", "providers in order of preference: name=http://host:port,...", std::nullopt},
      {"CALLER_TOKEN", "bearer token for the providers", std::nullopt, true},
      {"CALLER_TIMEOUT_MS", "total timeout of one request", "2000"},
      {"CALLER_CIRCUIT_FAILURES", "transient failures in a row that open a provider's circuit", "3"},
      {"CALLER_CIRCUIT_COOL_DOWN_MS", "how long an open circuit skips its provider", "2000"},
      {"CALLER_RATE_PER_SECOND", "shared rate limit of all replicas (empty: none)", ""},
      {"CALLER_RATE_BURST", "burst of the shared rate limit", "1"},
      {"CALLER_RATE_MAX_WAIT_MS", "how long a call waits for a token before it is retried later", "1000"},
      {"CALLER_ORDER_BY_KEY", "send one Kafka key's calls in order, stopping at the first failure", "false"},
      {"CALLER_THROW_ONCE", "n values the handler throws on once, after their calls", ""},
      {"CALLER_REFUSE_COMMIT_ONCE", "n values whose batch's commit is refused once", ""},
  };
  d.makeHandler = [](qrfleet::ServiceContext& ctx) -> std::unique_ptr<qrfleet::BatchHandler> {
    auto& c = ctx.config;
    qrfleet::caller::CallerSettings s;
    s.providers = providers(c);
    s.token = c.string("CALLER_TOKEN");
    s.timeout = c.millis("CALLER_TIMEOUT_MS", 10, 600000);
    s.circuit.failureThreshold = static_cast<int>(c.integer("CALLER_CIRCUIT_FAILURES", 1, 1000));
    s.circuit.coolDown = c.millis("CALLER_CIRCUIT_COOL_DOWN_MS", 10, 3600000);
    if (auto rate = c.string("CALLER_RATE_PER_SECOND"); !rate.empty()) {
      s.rateLimit = qrfleet::RedisRateLimiter::Limit{static_cast<double>(c.integer("CALLER_RATE_PER_SECOND", 1, 1000000)),
                                                     static_cast<double>(c.integer("CALLER_RATE_BURST", 1, 1000000))};
    }
    s.rateLimitMaxWait = c.millis("CALLER_RATE_MAX_WAIT_MS", 0, 60000);
    s.instance = c.string("INSTANCE_ID");
    s.orderByKey = c.boolean("CALLER_ORDER_BY_KEY");
    s.throwOnce = c.integerSet("CALLER_THROW_ONCE");
    s.refuseCommitOnce = c.integerSet("CALLER_REFUSE_COMMIT_ONCE");
    return std::make_unique<qrfleet::caller::CallerHandler>(std::move(s), ctx.outside);
  };
  return d;
}
