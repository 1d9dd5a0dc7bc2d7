#include "qrfleet/dead_letter_publisher.h"

#include "qrfleet/time_format.h"

namespace qrfleet {

DeadLetterPublisher::DeadLetterPublisher(EventProducer& producer, std::string service)
    : producer_(producer), service_(std::move(service)) {}

void DeadLetterPublisher::publish(const FailedMessage& m, std::string_view errorClass,
                                  std::string_view errorMessage, int attempts) {
  KafkaHeaders headers = m.headers;
  headers.emplace_back("dlq-original-topic", m.topic);
  headers.emplace_back("dlq-original-partition", std::to_string(m.partition));
  headers.emplace_back("dlq-original-offset", std::to_string(m.offset));
  headers.emplace_back("dlq-service", service_);
  headers.emplace_back("dlq-error-class", std::string(errorClass));
  headers.emplace_back("dlq-error-message", std::string(errorMessage.substr(0, 1024)));
  headers.emplace_back("dlq-failed-at", formatRfc3339Millis(nowMillis()));
  headers.emplace_back("dlq-attempts", std::to_string(attempts));
  // Keyed like the original so one key's failures stay in order within the DLQ.
  producer_.produce(std::string(topic), m.key, m.value, headers);
}

}  // namespace qrfleet
