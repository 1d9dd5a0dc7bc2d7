#include "qrfleet/runtime/dead_letter_publisher.h"

#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/time_format.h"

namespace qrfleet {

DeadLetterPublisher::DeadLetterPublisher(EventProducer& producer, std::string service)
    : producer_(producer), service_(std::move(service)) {}

void DeadLetterPublisher::publish(const FailedMessage& m, std::string_view errorClass,
                                  std::string_view errorMessage, int attempts) {
  // A message that failed on a retry topic is filed under where it first came
  // from, so that a redrive sends it back there.
  auto original = asOriginal(m);
  KafkaHeaders headers;
  for (const auto& h : original.headers)
    if (!h.first.starts_with("dlq-")) headers.push_back(h);
  headers.emplace_back("dlq-original-topic", original.topic);
  headers.emplace_back("dlq-original-partition", std::to_string(original.partition));
  headers.emplace_back("dlq-original-offset", std::to_string(original.offset));
  headers.emplace_back("dlq-service", service_);
  headers.emplace_back("dlq-error-class", std::string(errorClass));
  headers.emplace_back("dlq-error-message", std::string(errorMessage.substr(0, 1024)));
  headers.emplace_back("dlq-failed-at", formatRfc3339Millis(nowMillis()));
  headers.emplace_back("dlq-attempts", std::to_string(attempts));
  // Keyed like the original so one key's failures stay in order within the DLQ.
  producer_.produce(std::string(DeadLetterPublisher::topic), m.key, m.value, headers);
}

}  // namespace qrfleet
