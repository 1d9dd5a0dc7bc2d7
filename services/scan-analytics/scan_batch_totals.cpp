#include "scan_batch_totals.h"

#include <set>

namespace qrfleet::scan {

namespace {

constexpr std::int64_t kHourMs = 3600000;
constexpr std::int64_t kDayMs = 86400000;

using VisitorKey = std::pair<std::string_view, std::string_view>;  // (qr, visitor)

// Stored minutes of each (qr, visitor): minute -> scans, ordered for range checks.
std::map<VisitorKey, std::map<std::int64_t, std::int64_t>> indexPrior(std::span<const PriorVisitorMinute> prior) {
  std::map<VisitorKey, std::map<std::int64_t, std::int64_t>> out;
  for (const auto& p : prior) out[{p.qrCodeId, p.visitorId}][p.minuteMs] += p.scans;
  return out;
}

bool anyIn(const std::map<std::int64_t, std::int64_t>* minutes, std::int64_t from, std::int64_t to) {
  if (minutes == nullptr) return false;
  auto it = minutes->lower_bound(from);
  return it != minutes->end() && it->first < to;
}

}  // namespace

ScanBatchTotals totalScans(std::span<const NewScan> scans, std::span<const PriorVisitorMinute> prior,
                           int burstThreshold) {
  ScanBatchTotals t;
  t.suspicious.resize(scans.size());
  auto stored = indexPrior(prior);
  std::set<std::tuple<std::string_view, std::string_view, std::int64_t>> seenDays, seenHours;
  std::map<std::tuple<std::string_view, std::string_view, std::int64_t>, std::int64_t> minuteRunning;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const auto& qr = scans[i].qrCodeId;
    const auto& f = *scans[i].facts;
    auto found = stored.find({qr, f.visitorId});
    const auto* minutes = found == stored.end() ? nullptr : &found->second;

    auto [running, firstInMinute] = minuteRunning.try_emplace({qr, f.visitorId, f.minuteMs}, 0);
    if (firstInMinute && minutes != nullptr)
      if (auto m = minutes->find(f.minuteMs); m != minutes->end()) running->second = m->second;
    bool suspicious = ++running->second > burstThreshold;
    t.suspicious[i] = suspicious;

    bool newForDay = seenDays.insert({qr, f.visitorId, f.dayStartMs}).second &&
                     !anyIn(minutes, f.dayStartMs, f.dayStartMs + kDayMs);
    bool newForHour = seenHours.insert({qr, f.visitorId, f.hourMs}).second &&
                      !anyIn(minutes, f.hourMs, f.hourMs + kHourMs);
    const std::string qrKey(qr);
    for (auto [counts, isNew] : {std::pair{&t.daily[{qrKey, f.day}], newForDay},
                                 std::pair{&t.hourly[{qrKey, f.hour}], newForHour}}) {
      counts->scans += 1;
      counts->uniqueVisitors += isNew ? 1 : 0;
      counts->botScans += f.agent.isBot() ? 1 : 0;
      counts->suspiciousScans += suspicious ? 1 : 0;
    }
    for (const auto& [dimension, value] : {std::pair<const char*, const std::string*>{"country", &f.country},
                                           {"device", &f.agent.device},
                                           {"os", &f.agent.os},
                                           {"browser", &f.agent.browser},
                                           {"referrer_host", &f.referrerHost}})
      t.dimensions[{qrKey, f.day, dimension, *value}] += 1;
    t.visitorMinutes[{qrKey, f.visitorId, f.minute}] += 1;
  }
  return t;
}

}  // namespace qrfleet::scan
