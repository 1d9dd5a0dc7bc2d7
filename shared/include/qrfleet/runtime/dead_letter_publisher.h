#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "qrfleet/kafka/event_producer.h"

namespace qrfleet {

// Where a refused message came from, copied verbatim so it can be re-driven.
struct FailedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  KafkaHeaders headers;  // the original headers, kept
};

// Publishes refused messages to `dead-letter-queue` with the original key and
// bytes and the dlq-* headers that `qrfleet dlq` reads.
class DeadLetterPublisher {
 public:
  static constexpr std::string_view topic = "dead-letter-queue";

  DeadLetterPublisher(EventProducer& producer, std::string service);

  // Queued on the producer; the caller flushes before committing offsets.
  void publish(const FailedMessage& message, std::string_view errorClass, std::string_view errorMessage,
               int attempts);

 private:
  EventProducer& producer_;
  std::string service_;
};

}  // namespace qrfleet
