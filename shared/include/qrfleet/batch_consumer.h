#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/dead_letter_publisher.h"
#include "qrfleet/event_producer.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/kafka_settings.h"
#include "qrfleet/offset_store.h"
#include "qrfleet/postgres_connection.h"
#include "qrfleet/redis_client.h"
#include "qrfleet/redis_effects.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/runtime_settings.h"
#include "qrfleet/service_definition.h"

namespace qrfleet {

// The consume loop: poll a batch (by count and time), decode it, dead-letter
// what cannot be decoded, hand the rest to the handler, then apply the
// handler's effects and the batch's offsets atomically, retrying transient
// store failures with backoff while the partitions are paused (the consumer
// keeps polling, so it keeps its group membership).
class BatchConsumer : public RdKafka::RebalanceCb, public RdKafka::EventCb {
 public:
  BatchConsumer(const ServiceDefinition& definition, const RuntimeSettings& settings, const KafkaSettings& kafka,
                BatchHandler& handler, JsonLogger& log, RuntimeMetrics& metrics, const std::atomic<bool>& stop);
  ~BatchConsumer() override;

  // Runs until `stop` is set; then finishes the batch, commits, leaves the group.
  void run();

  bool healthy() const;  // the loop turned recently
  bool ready() const;    // joined the group and every store answers

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;
  void event_cb(RdKafka::Event& event) override;

 private:
  struct Rejected {
    FailedMessage message;
    RejectReason reason;
    std::string error;
    std::string eventType;
  };
  struct Batch {
    std::vector<ConsumedEvent> events;
    std::vector<Rejected> rejected;
    std::map<TopicPartition, std::int64_t> lastOffsets;
    std::map<TopicPartition, std::int64_t> epochs;
    std::vector<const RdKafka::Message*> eventMessages;  // parallel to events
    std::vector<std::unique_ptr<RdKafka::Message>> messages;  // keeps the bytes alive
    std::size_t size() const { return events.size() + rejected.size(); }
  };
  class BatchEffects;

  void collect();
  Batch decode(std::vector<std::unique_ptr<RdKafka::Message>> messages);
  void process(Batch& batch);
  void apply(Batch& batch);
  void applyOneByOne(Batch& batch);
  void dropUnowned(Batch& batch);
  void waitPaused(std::chrono::milliseconds delay);
  void afterCommit(const Batch& batch, std::chrono::steady_clock::time_point started);
  void commitKafkaOffsets(const std::map<TopicPartition, std::int64_t>& lastOffsets, bool sync);
  void checkStores();
  void updateLag();
  std::vector<RdKafka::TopicPartition*> ownedHandles() const;

  const ServiceDefinition& def_;
  RuntimeSettings settings_;
  BatchHandler& handler_;
  JsonLogger& log_;
  RuntimeMetrics& metrics_;
  const std::atomic<bool>& stop_;

  PostgresConnection pg_;
  RedisClient redis_;
  OffsetStore offsets_;
  RedisEffects redisEffects_;
  EventProducer producer_;
  DeadLetterPublisher deadLetters_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;

  std::map<TopicPartition, std::int64_t> owned_;  // partition -> claim epoch
  std::deque<std::unique_ptr<RdKafka::Message>> inbox_;
  bool cooperative_ = true;

  std::atomic<bool> joined_{false};
  std::atomic<bool> postgresUp_{false};
  std::atomic<bool> redisUp_{false};
  std::atomic<std::int64_t> lastTurnMs_{0};
  std::chrono::steady_clock::time_point lastStoreCheck_{};
  std::chrono::steady_clock::time_point lastLagUpdate_{};
};

}  // namespace qrfleet
