#pragma once
#include <atomic>
#include <thread>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/periodic_task.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/runtime/runtime_settings.h"

namespace qrfleet {

// Runs a worker's periodic tasks on one thread of their own, each at its
// interval, until the process shuts down. A failed run is logged, counted
// and retried at the next interval with fresh connections.
class PeriodicTaskRunner {
 public:
  PeriodicTaskRunner(std::vector<PeriodicTask> tasks, const RuntimeSettings& settings, const KafkaSettings& kafka,
                     const std::string& clientId, JsonLogger& log, RuntimeMetrics& metrics);
  ~PeriodicTaskRunner();  // stops the thread; a run in progress finishes first
  PeriodicTaskRunner(const PeriodicTaskRunner&) = delete;
  PeriodicTaskRunner& operator=(const PeriodicTaskRunner&) = delete;

 private:
  void loop();

  std::vector<PeriodicTask> tasks_;
  JsonLogger& log_;
  RuntimeMetrics& metrics_;
  PostgresConnection pg_;
  RedisClient redis_;
  EventProducer producer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace qrfleet
