#pragma once
#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/stores/redis_client.h"

namespace qrfleet {

// What a periodic task works with: connections of its own, not the lanes'.
struct TaskContext {
  pqxx::connection& postgres;
  RedisClient& redis;
  EventProducer& producer;  // acks=all; flush() before recording what was sent
  JsonLogger& log;
};

// Work a service does on a clock rather than on an event: expiring what was
// not answered in time, sweeping stale state. Every replica runs every task,
// so a task must be safe to run concurrently with itself (claim rows with
// FOR UPDATE SKIP LOCKED, change Redis in one script) and to run again after a
// crash (emit events with deterministic ids, then record that it did).
// Tasks do not run during a replay: the events they emitted are in the log.
struct PeriodicTask {
  std::string name;  // the `task` label of qrfleet_task_runs_total
  std::chrono::milliseconds interval;
  std::function<void(TaskContext&)> run;  // throwing counts as a failed run; the next one retries
};

}  // namespace qrfleet
