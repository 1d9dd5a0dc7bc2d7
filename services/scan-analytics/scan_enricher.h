#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>

#include "country_resolver.h"
#include "qrfleet/events/scan_recorded.h"
#include "user_agent_classifier.h"
#include "visitor_id.h"

namespace qrfleet::scan {

// What a scan means for the read models, derived once per event.
struct ScanFacts {
  std::string visitorId;
  std::string country;
  UserAgentClass agent;
  std::string referrerHost;  // "direct" when there is no referrer
  std::string day;           // UTC YYYY-MM-DD of scannedAt
  std::string dayStart;      // UTC midnight of that day, RFC 3339
  std::string hour;          // UTC hour of scannedAt, RFC 3339
  std::string minute;        // UTC minute of scannedAt, RFC 3339 (burst window)
  std::int64_t dayStartMs = 0;  // the same three, as Unix milliseconds
  std::int64_t hourMs = 0;
  std::int64_t minuteMs = 0;
};

// One per apply lane (each lane makes its own handler): the User-Agent cache
// is not locked.
class ScanEnricher {
 public:
  ScanEnricher(CountryResolver countries, VisitorId visitors);
  ScanFacts enrich(const events::ScanRecorded& scan) const;

  // Lower-cased host of an http(s) URL without "www."; "direct" for none.
  static std::string referrerHost(const std::optional<std::string>& referrer);

 private:
  const UserAgentClass& classify(const std::string& userAgent) const;

  UserAgentClassifier agents_;
  // Real traffic repeats a few thousand User-Agent strings; classifying one
  // is ~30 substring searches. Bounded: cleared when it reaches kAgentCacheSize.
  static constexpr std::size_t kAgentCacheSize = 20000;
  mutable std::unordered_map<std::string, UserAgentClass> agentCache_;
  // The time buckets of the last minute seen: a batch's scans mostly share a
  // minute, and formatting four timestamps per event showed in profiles.
  struct MinuteBuckets {
    std::int64_t minuteMs = -1;
    std::string day, dayStart, hour, minute;
  };
  mutable MinuteBuckets lastMinute_;
  CountryResolver countries_;
  VisitorId visitors_;
};

}  // namespace qrfleet::scan
