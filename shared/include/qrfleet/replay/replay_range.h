#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/kafka/kafka_admin.h"
#include "qrfleet/topic_partition.h"

namespace qrfleet {

// What a replay covers, per partition of a service's topics: where it starts
// (the oldest offset still held, or the first at or after a time) and the end
// offsets as they are now. Shared by the reset, the worker's --replay stop
// condition and the CLI's progress.
struct ReplayRange {
  std::map<TopicPartition, std::int64_t> start;
  std::map<TopicPartition, std::int64_t> end;

  static ReplayRange of(KafkaAdmin& admin, const std::vector<std::string>& topics,
                        std::optional<std::int64_t> fromMs = std::nullopt);
  std::int64_t total() const;
  // Events still to apply, given the next offsets stored with the state
  // (a partition with none, or -1, has not started).
  std::int64_t remaining(const std::map<TopicPartition, std::int64_t>& stored) const;
};

}  // namespace qrfleet
