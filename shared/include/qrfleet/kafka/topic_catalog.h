#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qrfleet {

// One entry of schemas/topics.yaml.
struct TopicSpec {
  std::string name;
  int partitions = 1;
  std::int64_t retentionMs = 0;
  std::string cleanupPolicy = "delete";
  std::string key;
  std::vector<std::string> eventTypes;
  std::string consumerGroup;
};

// schemas/topics.yaml, the declaration of every topic of the fleet.
class TopicCatalog {
 public:
  // The copy compiled into the binary.
  static TopicCatalog embedded();
  static TopicCatalog fromYaml(const std::string& text);

  const std::vector<TopicSpec>& topics() const { return topics_; }
  const TopicSpec* find(const std::string& name) const;

 private:
  std::vector<TopicSpec> topics_;
};

// "7d", "12h", "30m", "365d" -> milliseconds; throws std::invalid_argument.
std::int64_t parseRetention(const std::string& text);

}  // namespace qrfleet
