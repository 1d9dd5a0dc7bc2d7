#pragma once
#include <string_view>

#include "qrfleet/dead_letter_publisher.h"
#include "qrfleet/retry_schedule.h"

namespace qrfleet {

// Sends an event that failed attempt `attempt` to its topic's retry topic, due
// after the schedule's delay, or to the dead-letter queue when it has had all
// its attempts. Original key, bytes and headers travel with it; the
// retry-original-* headers keep where it first came from.
class RetryTopicPublisher {
 public:
  RetryTopicPublisher(EventProducer& producer, DeadLetterPublisher& deadLetters, RetrySchedule schedule);

  enum class Outcome { scheduled, deadLettered };
  // Queued on the producer; the caller flushes before committing offsets.
  Outcome publish(const FailedMessage& message, int attempt, std::string_view reason);

 private:
  EventProducer& producer_;
  DeadLetterPublisher& deadLetters_;
  RetrySchedule schedule_;
};

}  // namespace qrfleet
