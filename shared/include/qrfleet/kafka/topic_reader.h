#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/kafka/kafka_settings.h"

namespace qrfleet {

// A message's Kafka headers, in order.
KafkaHeaders headersOf(const RdKafka::Message& message);
// A copy of a consumed message (key, bytes, headers, origin) that outlives it.
FailedMessage toFailedMessage(const RdKafka::Message& message);

// Reads every partition of a topic without joining a group (nothing is
// committed): from the oldest message or from the end, up to the end offsets
// seen at start, or on and on with `follow`. For tools and tests.
class TopicReader {
 public:
  TopicReader(const KafkaSettings& settings, const std::string& topic, bool fromBeginning, bool follow = false);
  ~TopicReader();
  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // The next message (key, value, headers and where it came from), or nullopt
  // once the end is reached (never with `follow`) or nothing came within `timeout`.
  std::optional<FailedMessage> next(std::chrono::milliseconds timeout);
  bool atEnd() const { return !follow_ && remaining_.empty(); }

 private:
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<int, std::int64_t> remaining_;  // partition -> end offset still to reach
  bool follow_;
};

}  // namespace qrfleet
