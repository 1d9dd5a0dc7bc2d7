#include "scan_expectations.h"

#include <pqxx/pqxx>

#include "qrfleet/tools/loadgen/scan_workload.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/time_format.h"

namespace qrfleet::testing {

void ScanExpectations::add(const Envelope& e) {
  if (!seen_.insert(e.eventId).second) return;
  const auto& p = e.payload;
  auto at = *parseRfc3339Millis(p.at("scannedAt").get<std::string>());
  auto ua = p.at("userAgent").get<std::string>();
  scans_.push_back({p.at("qrCodeId").get<std::string>(), formatUtcDate(at),
                    p.at("ip").get<std::string>() + "\n" + ua, formatRfc3339Millis(at - at % 60000),
                    loadgen::ScanWorkload::isBotUserAgent(ua)});
}

std::map<std::pair<std::string, std::string>, ScanExpectations::Daily> ScanExpectations::daily() const {
  std::map<std::pair<std::string, std::string>, Daily> out;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> visitors;
  std::map<std::tuple<std::string, std::string, std::string>, long long> perMinute;
  for (const auto& s : scans_) {
    auto& d = out[{s.qr, s.day}];
    d.scans++;
    d.botScans += s.bot;
    visitors[{s.qr, s.day}].insert(s.visitor);
    if (++perMinute[{s.qr, s.visitor, s.minute}] > burstThreshold_) d.suspiciousScans++;
  }
  for (auto& [k, d] : out) d.uniqueVisitors = static_cast<long long>(visitors[k].size());
  return out;
}

std::map<std::string, long long> ScanExpectations::allTime() const {
  std::map<std::string, long long> out;
  for (const auto& s : scans_) out[s.qr]++;
  return out;
}

std::vector<std::string> compareScanReadModels(const ScanExpectations& expected, const std::string& databaseUrl,
                                               const std::string& redisUrl) {
  std::vector<std::string> diff;
  auto want = expected.daily();
  pqxx::connection c(databaseUrl);
  pqxx::read_transaction t(c);
  std::map<std::pair<std::string, std::string>, ScanExpectations::Daily> got;
  for (const auto& r : t.exec("SELECT qr_code_id, day::text, scans, unique_visitors, bot_scans, suspicious_scans "
                              "FROM analytics.qr_daily"))
    got[{r[0].as<std::string>(), r[1].as<std::string>()}] = {r[2].as<long long>(), r[3].as<long long>(),
                                                              r[4].as<long long>(), r[5].as<long long>()};
  auto show = [](const ScanExpectations::Daily& d) {
    return std::to_string(d.scans) + "/" + std::to_string(d.uniqueVisitors) + "/" + std::to_string(d.botScans) + "/" +
           std::to_string(d.suspiciousScans);
  };
  for (const auto& [k, d] : want) {
    auto it = got.find(k);
    if (it == got.end()) diff.push_back("qr_daily " + k.first + " " + k.second + ": missing, want " + show(d));
    else if (!(it->second == d))
      diff.push_back("qr_daily " + k.first + " " + k.second + ": got " + show(it->second) + " want " + show(d) +
                     " (scans/unique/bot/suspicious)");
  }
  for (const auto& [k, d] : got)
    if (!want.count(k)) diff.push_back("qr_daily " + k.first + " " + k.second + ": unexpected row " + show(d));

  auto total = expected.total();
  auto hourly = t.exec1("SELECT coalesce(sum(scans), 0) FROM analytics.qr_hourly")[0].as<long long>();
  if (hourly != total) diff.push_back("qr_hourly scans " + std::to_string(hourly) + " want " + std::to_string(total));
  auto raw = t.exec1("SELECT count(*) FROM analytics.scan_events")[0].as<long long>();
  if (raw != total) diff.push_back("scan_events rows " + std::to_string(raw) + " want " + std::to_string(total));
  for (const auto& r : t.exec("SELECT d, coalesce((SELECT sum(scans) FROM analytics.qr_daily_dimension WHERE dimension = d), 0) "
                              "FROM unnest(ARRAY['country','device','os','browser','referrer_host']) AS d")) {
    if (r[1].as<long long>() != total)
      diff.push_back("dimension " + r[0].as<std::string>() + " scans " + r[1].as<std::string>() + " want " +
                     std::to_string(total));
  }

  RedisClient redis(redisUrl);
  for (const auto& [qr, n] : expected.allTime()) {
    auto r = redis.command({"GET", "analytics:qr:" + qr + ":scans"});
    long long v = r->type == REDIS_REPLY_STRING ? std::stoll(std::string(r->str, r->len)) : 0;
    if (v != n) diff.push_back("redis all-time " + qr + ": " + std::to_string(v) + " want " + std::to_string(n));
  }
  for (const auto& [k, d] : want) {
    auto r = redis.command({"GET", "analytics:qr:" + k.first + ":day:" + k.second + ":scans"});
    long long v = r->type == REDIS_REPLY_STRING ? std::stoll(std::string(r->str, r->len)) : 0;
    if (v != d.scans)
      diff.push_back("redis day " + k.first + " " + k.second + ": " + std::to_string(v) + " want " +
                     std::to_string(d.scans));
  }
  if (diff.size() > 20) {
    auto n = diff.size();
    diff.resize(20);
    diff.push_back("... and " + std::to_string(n - 20) + " more differences");
  }
  return diff;
}

}  // namespace qrfleet::testing
