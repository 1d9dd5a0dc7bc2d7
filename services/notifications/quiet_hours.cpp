#include "quiet_hours.h"

#include <date/tz.h>

#include <stdexcept>

namespace qrfleet::notify {

namespace {
int minuteOf(const std::string& hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') throw std::invalid_argument("'" + hhmm + "' is not HH:MM");
  int h = std::stoi(hhmm.substr(0, 2));
  int m = std::stoi(hhmm.substr(3, 2));
  if (h > 23 || m > 59) throw std::invalid_argument("'" + hhmm + "' is not a time of day");
  return h * 60 + m;
}
}  // namespace

QuietHours QuietHours::parse(const std::string& timeZone, const std::string& start, const std::string& end) {
  try {
    date::locate_zone(timeZone);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone '" + timeZone + "'");
  }
  return {timeZone, minuteOf(start), minuteOf(end)};
}

std::optional<std::int64_t> QuietHours::endAfter(std::int64_t atMs) const {
  if (startMinute == endMinute) return std::nullopt;
  using namespace std::chrono;
  const auto* zone = date::locate_zone(timeZone);
  auto at = sys_time<milliseconds>(milliseconds(atMs));
  auto local = zone->to_local(at);
  auto day = floor<days>(local);
  int minute = static_cast<int>(duration_cast<minutes>(local - day).count());
  bool spansMidnight = startMinute > endMinute;
  bool inside = spansMidnight ? (minute >= startMinute || minute < endMinute)
                              : (minute >= startMinute && minute < endMinute);
  if (!inside) return std::nullopt;
  auto endDay = (spansMidnight && minute >= startMinute) ? day + days(1) : day;
  auto endLocal = date::local_time<minutes>(endDay.time_since_epoch() + minutes(endMinute));
  auto endSys = zone->to_sys(endLocal, date::choose::latest);
  return duration_cast<milliseconds>(endSys.time_since_epoch()).count();
}

}  // namespace qrfleet::notify
