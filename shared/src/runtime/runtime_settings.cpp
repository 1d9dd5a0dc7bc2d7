#include "qrfleet/runtime/runtime_settings.h"

#include <unistd.h>

#include <charconv>
#include <sstream>

namespace qrfleet {

std::vector<ConfigOption> RuntimeSettings::options(bool usesRedis) {
  std::vector<ConfigOption> out{
      {"DATABASE_URL", "PostgreSQL URL, postgresql://user[:password]@host:port/db", std::nullopt, true},
      {"METRICS_PORT", "HTTP port for /metrics, /healthz, /readyz (0 = any free port)", "9400"},
      {"BATCH_MAX_EVENTS", "most events applied in one batch", "2000"},
      {"BATCH_MAX_WAIT_MS", "how long an idle consumer blocks in one poll (batches never wait to fill: a free lane takes what is queued)", "100"},
      {"LANE_QUEUE_MAX_EVENTS", "decoded events queued per apply lane before the consumer waits for it", "3000"},
      {"LANE_QUEUE_MAX_BYTES", "bytes of messages queued per apply lane before the consumer waits for it", "8388608"},
      {"MAX_EVENT_BYTES", "larger messages are dead-lettered as oversized", "262144"},
      {"PG_IDLE_IN_TRANSACTION_TIMEOUT_MS", "Postgres ends a worker's transaction idle this long, so a frozen worker cannot hold the row locks its partitions' new owner needs", "30000"},
      {"RETRY_INITIAL_MS", "first backoff after a transient store failure", "100"},
      {"RETRY_MAX_MS", "longest backoff between attempts", "10000"},
      {"APPLY_LANES", "batches applied in parallel, each with its own store connections (partitions are split among them)", "2"},
      {"HANDLER_MAX_ATTEMPTS", "attempts of an event that makes the handler throw, run on its own, before it is dead-lettered", "3"},
      {"SHUTDOWN_TIMEOUT_MS", "how long SIGTERM waits for the current batch", "20000"},
      {"KAFKA_SESSION_TIMEOUT_MS", "how soon the group notices a crashed worker and moves its partitions", "10000"},
      {"OUTSIDE_CONCURRENCY", "outside calls (SMTP, HTTP, object storage) in flight at once in this worker", "64"},
      {"OUTSIDE_TARGET_CONCURRENCY", "outside calls in flight at once to one target (provider)", "16"},
      {"OUTSIDE_TARGET_LIMITS", "per-target overrides of OUTSIDE_TARGET_CONCURRENCY, e.g. smtp=4,push-api=50", ""},
      {"OUTSIDE_LEDGER_RETENTION_DAYS", "days the outcomes of outside calls are kept (at least the longest replayable topic retention)", "400"},
      {"INSTANCE_ID", "this replica's name in logs and the offset store (default host-pid)", ""},
      {"LOG_LEVEL", "debug, info, warn or error", "info"},
  };
  // Declared only for a worker that keeps state in Redis: one that does not is not asked for a URL it never uses.
  if (usesRedis) out.insert(out.begin() + 1, {"REDIS_URL", "Redis URL, redis://[:password@]host:port[/db]", std::nullopt, true});
  for (auto& o : RetrySchedule::options()) out.push_back(std::move(o));
  return out;
}

RuntimeSettings RuntimeSettings::fromConfig(EnvConfig& c, bool usesRedis) {
  RuntimeSettings s;
  s.databaseUrl = c.url("DATABASE_URL", {"postgresql", "postgres"});
  if (usesRedis) s.redisUrl = c.url("REDIS_URL", {"redis"});
  s.metricsPort = static_cast<int>(c.integer("METRICS_PORT", 0, 65535));
  s.batchMaxEvents = static_cast<int>(c.integer("BATCH_MAX_EVENTS", 1, 100000));
  s.batchMaxWait = c.millis("BATCH_MAX_WAIT_MS", 1, 60000);
  s.laneQueueMaxEvents = static_cast<int>(c.integer("LANE_QUEUE_MAX_EVENTS", 1, 1000000));
  s.laneQueueMaxBytes = static_cast<std::size_t>(c.integer("LANE_QUEUE_MAX_BYTES", 65536, 1024L * 1024 * 1024));
  s.maxEventBytes = static_cast<std::size_t>(c.integer("MAX_EVENT_BYTES", 256, 16 * 1024 * 1024));
  s.idleInTransactionTimeout = c.millis("PG_IDLE_IN_TRANSACTION_TIMEOUT_MS", 1000, 3600000);
  s.retryInitial = c.millis("RETRY_INITIAL_MS", 1, 60000);
  s.retryMax = c.millis("RETRY_MAX_MS", 1, 600000);
  s.applyLanes = static_cast<int>(c.integer("APPLY_LANES", 1, 16));
  s.handlerMaxAttempts = static_cast<int>(c.integer("HANDLER_MAX_ATTEMPTS", 1, 100));
  s.shutdownTimeout = c.millis("SHUTDOWN_TIMEOUT_MS", 100, 600000);
  s.sessionTimeout = c.millis("KAFKA_SESSION_TIMEOUT_MS", 6000, 300000);
  s.outsideLimits.workerConcurrency = static_cast<int>(c.integer("OUTSIDE_CONCURRENCY", 1, 1024));
  s.outsideLimits.targetConcurrency = static_cast<int>(c.integer("OUTSIDE_TARGET_CONCURRENCY", 1, 1024));
  s.outsideLimits.ledgerRetention = std::chrono::hours(24 * c.integer("OUTSIDE_LEDGER_RETENTION_DAYS", 1, 36500));
  std::istringstream limits(c.string("OUTSIDE_TARGET_LIMITS"));
  for (std::string item; std::getline(limits, item, ',');) {
    auto eq = item.find('=');
    int n = 0;
    if (eq == std::string::npos || eq == 0 || std::from_chars(item.data() + eq + 1, item.data() + item.size(), n).ec != std::errc{} || n < 1) {
      c.invalid("OUTSIDE_TARGET_LIMITS", "'" + item + "' is not target=count (count >= 1)");
      continue;
    }
    s.outsideLimits.perTarget[item.substr(0, eq)] = n;
  }
  s.instanceId = c.string("INSTANCE_ID");
  if (s.instanceId.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    s.instanceId = std::string(host) + "-" + std::to_string(getpid());
  }
  s.retryTopics = RetrySchedule::fromConfig(c);
  s.logLevel = c.oneOf("LOG_LEVEL", {"debug", "info", "warn", "error"});
  return s;
}

}  // namespace qrfleet
