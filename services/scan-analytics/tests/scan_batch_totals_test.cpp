#include <doctest/doctest.h>

#include "scan_batch_totals.h"

using namespace qrfleet::scan;

namespace {

// 2026-11-23T10:15:00Z and neighbours, as the enricher would bucket them.
constexpr std::int64_t kDay = 1795392000000;  // 2026-11-23T00:00:00Z
constexpr std::int64_t kHour10 = kDay + 10 * 3600000;

ScanFacts facts(std::string visitor, std::int64_t atMs, std::string device = "mobile") {
  ScanFacts f;
  f.visitorId = std::move(visitor);
  f.country = "DE";
  f.agent = {std::move(device), "iOS", "Safari"};
  f.referrerHost = "direct";
  f.dayStartMs = atMs - atMs % 86400000;
  f.hourMs = atMs - atMs % 3600000;
  f.minuteMs = atMs - atMs % 60000;
  f.day = "2026-11-23";
  f.hour = "hour-" + std::to_string(f.hourMs);
  f.minute = "minute-" + std::to_string(f.minuteMs);
  return f;
}

}  // namespace

TEST_CASE("unique visitors per day and hour: new unless stored or earlier in the batch") {
  std::vector<ScanFacts> f{facts("v1", kHour10 + 1000), facts("v1", kHour10 + 2000), facts("v2", kHour10 + 3000),
                           facts("v3", kHour10 + 3600000 + 5)};
  std::vector<NewScan> scans;
  for (const auto& x : f) scans.push_back({"qr1", &x});
  // v2 scanned this QR at 08:xx today (same day, other hour); v3 never.
  std::vector<PriorVisitorMinute> prior{{"qr1", "v2", kDay + 8 * 3600000, 1}};
  auto t = totalScans(scans, prior, 10);
  auto day = t.daily.at({"qr1", "2026-11-23"});
  CHECK(day.scans == 4);
  CHECK(day.uniqueVisitors == 2);  // v1 and v3; v2 was seen today already
  auto h10 = t.hourly.at({"qr1", "hour-" + std::to_string(kHour10)});
  CHECK(h10.scans == 3);
  CHECK(h10.uniqueVisitors == 2);  // v1 once, v2 new for this hour
  CHECK(t.hourly.at({"qr1", "hour-" + std::to_string(kHour10 + 3600000)}).uniqueVisitors == 1);
  CHECK(t.visitorMinutes.at({"qr1", "v1", "minute-" + std::to_string(kHour10)}) == 2);
  CHECK(t.dimensions.at({"qr1", "2026-11-23", "device", "mobile"}) == 4);
  CHECK(t.dimensions.size() == 5);
}

TEST_CASE("burst flags: scans beyond the threshold in a minute, counting the stored ones first") {
  std::vector<ScanFacts> f;
  for (int i = 0; i < 5; ++i) f.push_back(facts("v1", kHour10 + i * 100, i == 4 ? "bot" : "mobile"));
  std::vector<NewScan> scans;
  for (const auto& x : f) scans.push_back({"qr1", &x});
  std::vector<PriorVisitorMinute> prior{{"qr1", "v1", kHour10, 2}};
  auto t = totalScans(scans, prior, 3);
  // Stored 2, so the batch's 2nd scan is the 4th in the minute: flagged from there on, in arrival order.
  CHECK(t.suspicious == std::vector<bool>{false, true, true, true, true});
  auto day = t.daily.at({"qr1", "2026-11-23"});
  CHECK(day.suspiciousScans == 4);
  CHECK(day.botScans == 1);
  CHECK(day.uniqueVisitors == 0);
}

TEST_CASE("an empty batch adds nothing") {
  auto t = totalScans({}, {}, 10);
  CHECK(t.daily.empty());
  CHECK(t.suspicious.empty());
}
