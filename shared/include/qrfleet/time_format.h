#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qrfleet {

// Milliseconds since the Unix epoch, UTC.
std::int64_t nowMillis();

// Strict RFC 3339 (`2026-11-22T10:15:30.123Z`, offsets `+02:00` allowed, 0-9
// fraction digits). Returns nullopt for anything else, including impossible dates.
std::optional<std::int64_t> parseRfc3339Millis(std::string_view text);

// `YYYY-MM-DDTHH:MM:SS.mmmZ`
std::string formatRfc3339Millis(std::int64_t epochMillis);
// `YYYY-MM-DD` of the UTC day.
std::string formatUtcDate(std::int64_t epochMillis);

}  // namespace qrfleet
