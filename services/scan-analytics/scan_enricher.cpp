#include "scan_enricher.h"

#include <algorithm>

#include "qrfleet/time_format.h"

namespace qrfleet::scan {

ScanEnricher::ScanEnricher(CountryResolver countries, VisitorId visitors)
    : countries_(std::move(countries)), visitors_(std::move(visitors)) {}

std::string ScanEnricher::referrerHost(const std::optional<std::string>& referrer) {
  if (!referrer) return "direct";
  auto start = referrer->find("://");
  if (start == std::string::npos) return "unknown";
  start += 3;
  auto end = referrer->find_first_of("/?#", start);
  std::string host = referrer->substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (!host.empty() && host.front() != '[') {
    if (auto colon = host.find(':'); colon != std::string::npos) host.resize(colon);
  }
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host.rfind("www.", 0) == 0) host = host.substr(4);
  return host.empty() ? "unknown" : host.substr(0, 255);
}

const UserAgentClass& ScanEnricher::classify(const std::string& userAgent) const {
  if (auto it = agentCache_.find(userAgent); it != agentCache_.end()) return it->second;
  if (agentCache_.size() >= kAgentCacheSize) agentCache_.clear();
  return agentCache_.emplace(userAgent, agents_.classify(userAgent)).first->second;
}

ScanFacts ScanEnricher::enrich(const events::ScanRecorded& s) const {
  ScanFacts f;
  f.visitorId = visitors_.of(s.ip, s.userAgent);
  f.country = countries_.resolve(s.country, s.ip);
  f.agent = classify(s.userAgent);
  f.referrerHost = referrerHost(s.referrer);
  auto floorTo = [&](std::int64_t unit) { return s.scannedAtMs - ((s.scannedAtMs % unit) + unit) % unit; };
  f.dayStartMs = floorTo(86400000);
  f.hourMs = floorTo(3600000);
  f.minuteMs = floorTo(60000);
  if (lastMinute_.minuteMs != f.minuteMs)
    lastMinute_ = {f.minuteMs, formatUtcDate(f.minuteMs), formatRfc3339Millis(f.dayStartMs),
                   formatRfc3339Millis(f.hourMs), formatRfc3339Millis(f.minuteMs)};
  f.day = lastMinute_.day;
  f.dayStart = lastMinute_.dayStart;
  f.hour = lastMinute_.hour;
  f.minute = lastMinute_.minute;
  return f;
}

}  // namespace qrfleet::scan
