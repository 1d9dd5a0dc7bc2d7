#include "qrfleet/runtime/retry_schedule.h"

#include <charconv>
#include <sstream>

namespace qrfleet {

std::chrono::milliseconds RetrySchedule::delayBefore(int attempt) const {
  if (delays.empty()) return std::chrono::milliseconds(0);
  auto i = static_cast<std::size_t>(std::max(0, attempt - 2));
  return delays[std::min(i, delays.size() - 1)];
}

std::vector<ConfigOption> RetrySchedule::options() {
  return {
      {"RETRY_TOPIC_ATTEMPTS", "attempts of an event a handler sends to <topic>-retry, the first included", "4"},
      {"RETRY_TOPIC_DELAYS_MS", "waits before the 2nd, 3rd, ... attempt, comma-separated (the last repeats)",
       "1000,10000,60000"},
  };
}

RetrySchedule RetrySchedule::fromConfig(EnvConfig& c) {
  RetrySchedule s;
  s.maxAttempts = static_cast<int>(c.integer("RETRY_TOPIC_ATTEMPTS", 1, 100));
  s.delays.clear();
  std::istringstream in(c.string("RETRY_TOPIC_DELAYS_MS"));
  for (std::string item; std::getline(in, item, ',');) {
    long ms = -1;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), ms);
    if (ec != std::errc() || end != item.data() + item.size() || ms < 0 || ms > 7L * 24 * 3600 * 1000) {
      c.invalid("RETRY_TOPIC_DELAYS_MS", "'" + item + "' is not a delay in milliseconds (0 to 7 days)");
      return s;
    }
    s.delays.emplace_back(ms);
  }
  if (s.delays.empty()) c.invalid("RETRY_TOPIC_DELAYS_MS", "needs at least one delay");
  return s;
}

std::string retryTopicOf(std::string_view topic) { return std::string(topic) + "-retry"; }

std::string routeTopicOf(std::string_view topic) {
  constexpr std::string_view suffix = "-retry";
  if (topic.size() > suffix.size() && topic.ends_with(suffix)) topic.remove_suffix(suffix.size());
  return std::string(topic);
}

FailedMessage asOriginal(const FailedMessage& m) {
  FailedMessage out = m;
  out.headers.clear();
  for (const auto& [name, value] : m.headers) {
    if (name == retry_header::originalTopic) out.topic = value;
    else if (name == retry_header::originalPartition) std::from_chars(value.data(), value.data() + value.size(), out.partition);
    else if (name == retry_header::originalOffset) std::from_chars(value.data(), value.data() + value.size(), out.offset);
    else if (!name.starts_with(retry_header::prefix)) out.headers.emplace_back(name, value);
  }
  return out;
}

}  // namespace qrfleet
