#include "qrfleet/retry_topic_publisher.h"

#include "qrfleet/time_format.h"

namespace qrfleet {

namespace {
std::string headerOr(const KafkaHeaders& headers, std::string_view name, std::string fallback) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it)
    if (it->first == name) return it->second;
  return fallback;
}
}  // namespace

RetryTopicPublisher::RetryTopicPublisher(EventProducer& producer, DeadLetterPublisher& deadLetters,
                                         RetrySchedule schedule)
    : producer_(producer), deadLetters_(deadLetters), schedule_(std::move(schedule)) {}

RetryTopicPublisher::Outcome RetryTopicPublisher::publish(const FailedMessage& m, int attempt,
                                                          std::string_view reason) {
  if (attempt >= schedule_.maxAttempts) {
    deadLetters_.publish(m, "retries-exhausted", reason, attempt);
    return Outcome::deadLettered;
  }
  auto originalTopic = headerOr(m.headers, retry_header::originalTopic, m.topic);
  auto originalPartition = headerOr(m.headers, retry_header::originalPartition, std::to_string(m.partition));
  auto originalOffset = headerOr(m.headers, retry_header::originalOffset, std::to_string(m.offset));
  KafkaHeaders headers;
  for (const auto& h : m.headers)
    if (!h.first.starts_with(retry_header::prefix)) headers.push_back(h);
  int next = attempt + 1;
  headers.emplace_back(retry_header::attempt, std::to_string(next));
  headers.emplace_back(retry_header::dueAtMs, std::to_string(nowMillis() + schedule_.delayBefore(next).count()));
  headers.emplace_back(retry_header::reason, std::string(reason.substr(0, 1024)));
  headers.emplace_back(retry_header::originalTopic, originalTopic);
  headers.emplace_back(retry_header::originalPartition, originalPartition);
  headers.emplace_back(retry_header::originalOffset, originalOffset);
  producer_.produce(retryTopicOf(originalTopic), m.key, m.value, headers);
  return Outcome::scheduled;
}

}  // namespace qrfleet
