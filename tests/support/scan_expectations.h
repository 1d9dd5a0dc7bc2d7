#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::testing {

// What the scan-analytics read models must hold for a set of events,
// computed straight from the definitions (not from the worker's code):
// scans per QR and UTC day, exact distinct (ip, userAgent) pairs, bot scans
// (the workload's bot agents), and burst scans beyond the threshold.
class ScanExpectations {
 public:
  explicit ScanExpectations(int burstThreshold) : burstThreshold_(burstThreshold) {}

  // Adds an event once per eventId, as the worker must.
  void add(const Envelope& event);

  struct Daily {
    long long scans = 0, uniqueVisitors = 0, botScans = 0, suspiciousScans = 0;
    bool operator==(const Daily&) const = default;
  };
  std::map<std::pair<std::string, std::string>, Daily> daily() const;  // (qr, day)
  std::map<std::string, long long> allTime() const;                    // qr -> scans
  long long total() const { return static_cast<long long>(seen_.size()); }

 private:
  struct Scan {
    std::string qr, day, visitor, minute;
    bool bot;
  };
  int burstThreshold_;
  std::set<std::string> seen_;
  std::vector<Scan> scans_;
};

// Differences between the expected and the actual read models, one line each
// (empty when they match). Reads Postgres (qr_daily, qr_hourly, dimensions)
// and Redis (all-time and per-day counters).
std::vector<std::string> compareScanReadModels(const ScanExpectations& expected, const std::string& databaseUrl,
                                               const std::string& redisUrl);

}  // namespace qrfleet::testing
