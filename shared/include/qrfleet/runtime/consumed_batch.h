#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet {

// A message refused before it reached the handler, on its way to the DLQ.
struct RejectedMessage {
  FailedMessage message;
  RejectReason reason;
  std::string error;
  std::string eventType;
  int attempts = 1;
};

// Messages polled from Kafka, decoded and ready to apply, for the partitions
// of one apply lane.
struct ConsumedBatch {
  std::vector<ConsumedEvent> events;
  std::vector<const RdKafka::Message*> eventMessages;  // parallel to events
  std::vector<RejectedMessage> rejected;
  std::map<TopicPartition, std::int64_t> firstOffsets;
  std::map<TopicPartition, std::int64_t> lastOffsets;
  std::map<TopicPartition, std::int64_t> epochs;  // claim epoch each partition was read under
  std::vector<std::shared_ptr<RdKafka::Message>> messages;  // keeps the bytes alive
  std::size_t bytes = 0;  // payload bytes held, for the lanes' queue bounds
  std::chrono::steady_clock::time_point decodedAt{};  // of the oldest chunk (queue wait in debug logs)
  std::size_t size() const { return events.size() + rejected.size(); }

  // Whether `later` (polled after this) can be applied in the same batch: the
  // partitions both hold were read under the same claim epochs.
  bool canAppend(const ConsumedBatch& later) const { return epochsAgree(epochs, later.epochs); }
  static bool epochsAgree(const std::map<TopicPartition, std::int64_t>& a,
                          const std::map<TopicPartition, std::int64_t>& b);
  // Appends a later chunk of the same lane's partitions (offsets only grow).
  void append(ConsumedBatch&& later);

  // Keeps the events and rejected messages for which keep(partition, offset)
  // holds (the offset maps are the caller's to adjust).
  template <class Keep>
  void retain(Keep keep) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (!keep(events[i].source, events[i].offset)) continue;
      if (kept != i) {
        events[kept] = std::move(events[i]);
        eventMessages[kept] = eventMessages[i];
      }
      ++kept;
    }
    events.resize(kept);
    eventMessages.resize(kept);
    std::erase_if(rejected, [&](const RejectedMessage& r) {
      return !keep(TopicPartition{r.message.topic, r.message.partition}, r.message.offset);
    });
  }
};

}  // namespace qrfleet
