#include "qrfleet/duration_text.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace qrfleet {

std::chrono::milliseconds parseDuration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() < 2) throw std::invalid_argument("'" + std::string(text) + "' is not a duration (e.g. 90s, 5m, 1h, 3d)");
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 86400 * 1000; break;
    default:
      throw std::invalid_argument("'" + std::string(text) + "' has no unit: end it in s, m, h or d");
  }
  auto digits = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (error != std::errc() || end != digits.data() + digits.size() || n <= 0 || n > 100000)
    throw std::invalid_argument("'" + std::string(text) + "' is not a positive whole number of its unit");
  return std::chrono::milliseconds(n * unit);
}

std::vector<std::chrono::milliseconds> parseDurationList(std::string_view text) {
  std::vector<std::chrono::milliseconds> out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    out.push_back(parseDuration(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace qrfleet
