#pragma once
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/kafka/kafka_settings.h"
#include "qrfleet/kafka/topic_catalog.h"
#include "qrfleet/topic_partition.h"

namespace qrfleet {

struct TopicState {
  std::string name;
  int partitions = 0;
  int replicationFactor = 0;
};

struct PartitionLag {
  TopicPartition partition;
  std::int64_t committed = -1;  // -1: no committed offset
  std::int64_t high = 0;
  std::int64_t lag() const { return committed < 0 ? high : high - committed; }
};

// Cluster administration for the CLI, tests and benchmarks: topics from the
// catalog, groups and their lag.
class KafkaAdmin {
 public:
  explicit KafkaAdmin(const KafkaSettings& settings);

  std::map<std::string, TopicState> listTopics(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Makes the cluster match the catalog: creates missing topics, raises
  // partition counts, sets retention and cleanup policy. Never deletes.
  // Returns one line per change made.
  std::vector<std::string> apply(const TopicCatalog& catalog, int replicationFactor);

  std::vector<std::string> listGroups();
  // Committed offsets of `group` on `topic` against the high watermarks.
  std::vector<PartitionLag> groupLag(const std::string& group, const std::string& topic);
  // Low and high watermark of every partition.
  std::map<int, std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic);
  // Per partition, the first offset whose timestamp is at or after `ms` (the
  // high watermark where none is).
  std::map<int, std::int64_t> offsetsForTime(const std::string& topic, std::int64_t ms);
  // Deletes committed offsets of `group` (it must have no active members).
  void deleteGroup(const std::string& group);

 private:
  struct HandleCloser {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  };
  KafkaSettings settings_;
  std::unique_ptr<rd_kafka_t, HandleCloser> rk_;
};

}  // namespace qrfleet
