#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "qrfleet/config.h"
#include "qrfleet/outside/outside_calls_limits.h"
#include "qrfleet/runtime/retry_schedule.h"

namespace qrfleet {

// The runtime's own variables (stores, batching, retries, HTTP port).
struct RuntimeSettings {
  std::string databaseUrl;
  std::string redisUrl;  // empty for a worker without a Redis prefix
  int metricsPort = 9400;
  int batchMaxEvents = 2000;
  std::chrono::milliseconds batchMaxWait{100};  // idle poll tick; a batch never waits to fill
  // Each apply lane's queue of decoded chunks: the consumer keeps fetching and
  // decoding while lanes apply, up to these bounds (then it waits: backpressure).
  int laneQueueMaxEvents = 3000;
  std::size_t laneQueueMaxBytes = 8 * 1024 * 1024;
  std::size_t maxEventBytes = 262144;
  // A worker's transaction idle this long is ended by the server (see PostgresConnection).
  std::chrono::milliseconds idleInTransactionTimeout{30000};
  std::chrono::milliseconds retryInitial{100};
  std::chrono::milliseconds retryMax{10000};
  int handlerMaxAttempts = 3;
  RetrySchedule retryTopics;
  int applyLanes = 2;
  OutsideLimits outsideLimits;
  std::chrono::milliseconds shutdownTimeout{20000};
  std::chrono::milliseconds sessionTimeout{10000};
  std::string instanceId;
  std::string logLevel = "info";
  bool replaying = false;  // --replay: rebuild state, emit and announce nothing

  // usesRedis: the service declares a Redis prefix (REDIS_URL is asked for only then).
  static std::vector<ConfigOption> options(bool usesRedis);
  static RuntimeSettings fromConfig(EnvConfig& config, bool usesRedis);
};

}  // namespace qrfleet
