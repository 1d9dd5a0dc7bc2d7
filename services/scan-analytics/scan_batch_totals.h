#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "scan_enricher.h"

namespace qrfleet::scan {

// A scan counted for the first time (its eventId was never applied before),
// in arrival order: a QR's scans share a partition, so (partition, offset).
struct NewScan {
  std::string_view qrCodeId;
  const ScanFacts* facts;
};

// A visitor's stored scans of a QR in one minute, as the batch found them.
struct PriorVisitorMinute {
  std::string qrCodeId;
  std::string visitorId;
  std::int64_t minuteMs;
  std::int64_t scans;
};

struct ScanCounts {
  std::int64_t scans = 0;
  std::int64_t uniqueVisitors = 0;
  std::int64_t botScans = 0;
  std::int64_t suspiciousScans = 0;
};

// What one batch of new scans adds to the read models, computed in memory so
// that Postgres receives pre-aggregated rows (one upsert per key, not per event).
struct ScanBatchTotals {
  std::vector<bool> suspicious;  // per NewScan
  std::map<std::pair<std::string, std::string>, ScanCounts> daily;   // (qr, UTC day)
  std::map<std::pair<std::string, std::string>, ScanCounts> hourly;  // (qr, hour, RFC 3339)
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::int64_t> dimensions;  // (qr, day, dimension, value)
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> visitorMinutes;  // (qr, visitor, minute) -> scans added
};

// The rules of the analytics read models, over one batch:
// - a visitor is unique for a QR's day (hour) when it has no stored scan of
//   that QR in that day (hour) and no earlier scan in this batch;
// - a visitor's scans of a QR within one minute beyond `burstThreshold` are
//   suspicious; which ones is fixed by arrival order, so batch boundaries and
//   replays flag the same events.
// `prior` must hold the stored minutes of every (qr, visitor) of `scans`
// within the scans' days.
ScanBatchTotals totalScans(std::span<const NewScan> scans, std::span<const PriorVisitorMinute> prior,
                           int burstThreshold);

}  // namespace qrfleet::scan
