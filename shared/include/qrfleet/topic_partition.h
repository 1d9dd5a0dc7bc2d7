#pragma once
#include <compare>
#include <cstdint>
#include <string>

namespace qrfleet {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  std::string str() const { return topic + "/" + std::to_string(partition); }
};

}  // namespace qrfleet
