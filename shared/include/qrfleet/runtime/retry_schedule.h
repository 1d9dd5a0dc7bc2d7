#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "qrfleet/config.h"
#include "qrfleet/runtime/dead_letter_publisher.h"

namespace qrfleet {

// Per-event retries of slow external work through `<topic>-retry`. A handler
// asks for one with Effects::retryLater(); the message goes to the retry topic
// with the headers below, and the worker consumes it again once it is due.
struct RetrySchedule {
  int maxAttempts = 4;  // including the first; the last failure is dead-lettered
  std::vector<std::chrono::milliseconds> delays{std::chrono::milliseconds(1000), std::chrono::milliseconds(10000),
                                                std::chrono::milliseconds(60000)};

  // The wait before attempt `attempt` (2, 3, ...): the list's entry, or its last one.
  std::chrono::milliseconds delayBefore(int attempt) const;

  static std::vector<ConfigOption> options();
  static RetrySchedule fromConfig(EnvConfig& config);
};

std::string retryTopicOf(std::string_view topic);
// The topic a retry topic retries (`<topic>-retry` -> `<topic>`); any other topic as it is.
std::string routeTopicOf(std::string_view topic);

// Headers of a message on a retry topic.
namespace retry_header {
inline constexpr const char* attempt = "retry-attempt";  // the attempt this delivery is (2, 3, ...)
inline constexpr const char* dueAtMs = "retry-due-at-ms";  // not before this time (ms since epoch)
inline constexpr const char* reason = "retry-reason";
inline constexpr const char* originalTopic = "retry-original-topic";
inline constexpr const char* originalPartition = "retry-original-partition";
inline constexpr const char* originalOffset = "retry-original-offset";
inline constexpr std::string_view prefix = "retry-";
}  // namespace retry_header

// The message as it first came in: a copy read from a retry topic gets back
// the topic, partition and offset of its retry-original-* headers, and loses
// every retry-* header. Any other message is returned unchanged.
FailedMessage asOriginal(const FailedMessage& message);

}  // namespace qrfleet
