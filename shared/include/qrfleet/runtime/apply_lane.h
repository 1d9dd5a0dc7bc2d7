#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "qrfleet/runtime/backoff.h"
#include "qrfleet/runtime/consumed_batch.h"
#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/stores/offset_store.h"
#include "qrfleet/runtime/output_ledger.h"
#include "qrfleet/outside/outside_calls.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/stores/redis_effects.h"
#include "qrfleet/stores/redis_recovery.h"
#include "qrfleet/runtime/retry_topic_publisher.h"
#include "qrfleet/runtime/route_table.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/runtime/runtime_settings.h"
#include "qrfleet/service_definition.h"

namespace qrfleet {

// Applies batches for a fixed share of the partitions on its own thread, with
// its own Postgres and Redis connections, producer and handler instance.
// Several lanes let a worker's store round trips overlap while the consumer
// thread keeps polling; per-partition order holds because a partition always
// maps to the same lane and a lane applies one batch at a time.
//
// One attempt = one Postgres transaction: handler effects, Redis writes (one
// Lua script with applied-offset marks), Kafka outputs acknowledged, offsets
// advanced under the partition's claim epoch, commit. Transient failures are
// retried in place with backoff (no limit: dead-lettering good events because
// a store is down would be loss); a batch the handler throws on is applied one
// event at a time, and an event that keeps failing on its own is dead-lettered.
class ApplyLane {
 public:
  struct Context {
    const ServiceDefinition& definition;
    const RuntimeSettings& settings;
    const KafkaSettings& kafka;
    JsonLogger& log;
    RuntimeMetrics& metrics;
    const OffsetStore& offsets;
    const RouteTable& routes;
    OutsideCalls& outside;
    const std::atomic<bool>& stop;
    // Whether this process still owns the partition under that claim epoch.
    std::function<bool(const TopicPartition&, std::int64_t epoch)> owns;
    // Kafka's copy of the offsets (lag tooling); called after each commit.
    std::function<void(const std::map<TopicPartition, std::int64_t>& lastOffsets)> committed;
  };

  ApplyLane(int index, Context context, std::unique_ptr<BatchHandler> handler);
  ~ApplyLane();
  ApplyLane(const ApplyLane&) = delete;
  ApplyLane& operator=(const ApplyLane&) = delete;

  // Queues a decoded chunk if the lane's queue is under its bounds
  // (LANE_QUEUE_MAX_EVENTS/BYTES) within `wait`; false if it stays full.
  // When free, the lane takes everything queued (up to BATCH_MAX_EVENTS) as
  // one batch: small batches at low load, large ones under load.
  bool submit(ConsumedBatch& batch, std::chrono::milliseconds wait);
  // Waits until nothing is queued or running; false on timeout.
  bool waitIdle(std::chrono::milliseconds timeout);

  bool postgresUp() const { return postgresUp_.load(); }
  bool redisUp() const { return redisUp_.load(); }
  // Probes both stores when the lane is idle (the consumer calls it now and then).
  void checkStores();

 private:
  class BatchEffects;
  void run();
  void warmProducer();
  // With mutex_ held: the queued chunks that make the next batch (at most
  // BATCH_MAX_EVENTS, same claim epochs), oldest first.
  std::vector<ConsumedBatch> takeQueued();
  void process(ConsumedBatch& batch);
  void apply(ConsumedBatch& batch);
  bool applyOneByOne(ConsumedBatch& batch);  // false if shutdown interrupted it
  void dropUnowned(ConsumedBatch& batch);
  // After a failed attempt: store health for /readyz, reconnects, the retry metric. Returns the reason label.
  std::string noteFailure(const std::exception& e);
  // Rebuilds Redis from Postgres (or waits a backoff if that failed); false on shutdown.
  bool recoverRedis(const RedisStateLost& lost, Backoff& backoff);
  void dropApplied(ConsumedBatch& batch, const TopicPartition& tp, std::int64_t nextOffset);
  void sleepFor(std::chrono::milliseconds delay);
  // Produces the batch's follow-up events, dead letters and retry copies but
  // those an earlier run delivered; returns the ledger keys of what it produced.
  std::set<std::string> produceOutputs(BatchEffects& fx);
  void recordOutputs(const std::set<std::string>& produced);
  void afterCommit(const ConsumedBatch& batch, std::chrono::steady_clock::time_point started);
  // The event's route's retry schedule (its policy, or RETRY_TOPIC_*), and handler attempts.
  RetrySchedule retryScheduleOf(const ConsumedEvent& event) const;
  int handlerAttemptsOf(const ConsumedEvent& event) const;

  int index_;
  Context ctx_;
  std::unique_ptr<BatchHandler> handler_;
  PostgresConnection pg_;
  RedisClient redis_;
  RedisEffects redisEffects_;
  EventProducer producer_;
  DeadLetterPublisher deadLetters_;
  RedisRecovery redisRecovery_;
  bool usesRedis_;
  PostgresConnection ledgerPg_;  // autocommit, outside the batch transaction
  OutputLedger outputLedger_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ConsumedBatch> queue_;
  std::size_t queuedEvents_ = 0;
  std::size_t queuedBytes_ = 0;
  bool busy_ = false;
  bool closing_ = false;
  std::mutex storeMutex_;  // pg_/redis_ are used by the lane thread and by checkStores()
  std::atomic<bool> postgresUp_{true};
  std::atomic<bool> redisUp_{true};
  std::thread thread_;
};

}  // namespace qrfleet
