#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace qrfleet::notify {

// A recipient's quiet hours: local clock times in an IANA zone between which
// bulk messages wait. start > end spans midnight (22:00-07:00).
struct QuietHours {
  std::string timeZone;
  int startMinute = 0;  // minutes after local midnight
  int endMinute = 0;

  // Parses "HH:MM" pairs; throws std::invalid_argument naming what is wrong
  // (an unknown zone, a bad time).
  static QuietHours parse(const std::string& timeZone, const std::string& start, const std::string& end);
  // When the quiet hours around `atMs` end (Unix ms), or nullopt if `atMs`
  // is not inside them. Daylight-saving gaps resolve to the later instant.
  std::optional<std::int64_t> endAfter(std::int64_t atMs) const;
};

}  // namespace qrfleet::notify
