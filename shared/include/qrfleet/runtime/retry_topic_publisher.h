#pragma once
#include <chrono>
#include <string_view>

#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/runtime/retry_schedule.h"

namespace qrfleet {

// Sends an event that failed attempt `attempt` to its topic's retry topic, due
// after the schedule's delay, or to the dead-letter queue when it has had all
// its attempts. Original key, bytes and headers travel with it; the
// retry-original-* headers keep where it first came from.
class RetryTopicPublisher {
 public:
  RetryTopicPublisher(EventProducer& producer, DeadLetterPublisher& deadLetters, RetrySchedule schedule);

  // Whether attempt `attempt` was the last one the schedule allows.
  bool exhausted(int attempt) const { return attempt >= schedule_.maxAttempts; }
  // Schedules attempt + 1, due after the schedule's delay or `notBefore`
  // (a provider's Retry-After), whichever is later; dead-letters the message as
  // retries-exhausted when exhausted(attempt). Queued on the producer; the
  // caller flushes before committing offsets.
  void publish(const FailedMessage& message, int attempt, std::string_view reason,
               std::chrono::milliseconds notBefore = {});

 private:
  EventProducer& producer_;
  DeadLetterPublisher& deadLetters_;
  RetrySchedule schedule_;
};

}  // namespace qrfleet
