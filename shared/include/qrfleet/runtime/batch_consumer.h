#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "qrfleet/runtime/apply_lane.h"
#include "qrfleet/runtime/consumed_batch.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/kafka/kafka_settings.h"
#include "qrfleet/stores/offset_store.h"
#include "qrfleet/outside/outside_calls.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/runtime/route_table.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/runtime/runtime_settings.h"
#include "qrfleet/service_definition.h"

namespace qrfleet {

// The consume loop: poll a batch (by count and time), decode it, dead-letter
// what cannot be decoded, and hand each partition's share to its apply lane.
// Owns the group membership: assignments claim partitions in the offset store
// and seek to the stored offsets; while the lanes are full or retrying, the
// partitions are paused and polling goes on, so the consumer stays in the group.
class BatchConsumer : public RdKafka::RebalanceCb, public RdKafka::EventCb {
 public:
  // One handler per apply lane (handlers.size() lanes).
  BatchConsumer(const ServiceDefinition& definition, const RuntimeSettings& settings, const KafkaSettings& kafka,
                std::vector<std::unique_ptr<BatchHandler>> handlers, JsonLogger& log, RuntimeMetrics& metrics,
                const std::atomic<bool>& stop);
  ~BatchConsumer() override;

  // Runs until `stop` is set; then finishes the batches, commits, leaves the group.
  void run();

  bool healthy() const;  // the loop turned recently
  bool ready() const;    // joined the group and every store answers

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;
  void event_cb(RdKafka::Event& event) override;

 private:
  void collect();
  std::vector<ConsumedBatch> decode(std::vector<std::unique_ptr<RdKafka::Message>> messages);
  void dispatch(std::vector<ConsumedBatch>& perLane);
  std::size_t laneOf(const TopicPartition& tp) const;
  std::map<std::string, std::size_t> ownLanes_;  // topic -> lane, for routes declared onOwnLane()
  bool owns(const TopicPartition& tp, std::int64_t epoch) const;
  bool waitLanesIdle(std::chrono::milliseconds timeout);
  bool outliveFirstAssignment();  // false: the consumer was let go without close()
  void deferRetries();
  void resumeDueRetries();
  void commitKafkaOffsets(const std::map<TopicPartition, std::int64_t>& lastOffsets);
  void checkStores();
  void updateLag();
  std::vector<RdKafka::TopicPartition*> ownedHandles() const;

  const ServiceDefinition& def_;
  RuntimeSettings settings_;
  JsonLogger& log_;
  RuntimeMetrics& metrics_;
  const std::atomic<bool>& stop_;
  RouteTable routes_;

  PostgresConnection pg_;  // partition claims
  OffsetStore offsets_;
  OutsideCalls outside_;  // before lanes_: they use it until they are destroyed
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<std::unique_ptr<ApplyLane>> lanes_;

  mutable std::mutex ownedMutex_;  // owned_ is read by the lanes
  std::map<TopicPartition, std::int64_t> owned_;  // partition -> claim epoch
  std::deque<std::unique_ptr<RdKafka::Message>> inbox_;
  std::set<std::string> retryTopics_;
  std::map<TopicPartition, std::pair<std::int64_t, std::int64_t>> deferring_;  // found in decode: offset, due ms
  std::map<TopicPartition, std::int64_t> deferredUntilMs_;  // paused retry partitions (consumer thread only)
  bool cooperative_ = true;

  std::atomic<bool> joined_{false};
  std::atomic<bool> postgresUp_{false};
  std::atomic<std::int64_t> lastTurnMs_{0};
  std::chrono::steady_clock::time_point lastStoreCheck_{};
  std::chrono::steady_clock::time_point lastLagUpdate_{};
};

}  // namespace qrfleet
