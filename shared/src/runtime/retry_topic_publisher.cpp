#include "qrfleet/runtime/retry_topic_publisher.h"

#include <algorithm>

#include "qrfleet/time_format.h"

namespace qrfleet {

RetryTopicPublisher::RetryTopicPublisher(EventProducer& producer, DeadLetterPublisher& deadLetters,
                                         RetrySchedule schedule)
    : producer_(producer), deadLetters_(deadLetters), schedule_(std::move(schedule)) {}

void RetryTopicPublisher::publish(const FailedMessage& m, int attempt, std::string_view reason,
                                  std::chrono::milliseconds notBefore) {
  if (exhausted(attempt)) {
    deadLetters_.publish(m, "retries-exhausted", reason, attempt);
    return;
  }
  auto original = asOriginal(m);
  KafkaHeaders headers = original.headers;
  int next = attempt + 1;
  headers.emplace_back(retry_header::attempt, std::to_string(next));
  headers.emplace_back(retry_header::dueAtMs, std::to_string(nowMillis() + std::max(schedule_.delayBefore(next), notBefore).count()));
  headers.emplace_back(retry_header::reason, std::string(reason.substr(0, 1024)));
  headers.emplace_back(retry_header::originalTopic, original.topic);
  headers.emplace_back(retry_header::originalPartition, std::to_string(original.partition));
  headers.emplace_back(retry_header::originalOffset, std::to_string(original.offset));
  producer_.produce(retryTopicOf(original.topic), m.key, m.value, headers);
}

}  // namespace qrfleet
