#include "scan_analytics_handler.h"

#include <algorithm>
#include <deque>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_set>

#include "qrfleet/sql_array.h"
#include "qrfleet/time_format.h"
#include "scan_batch_sql.h"
#include "scan_redis_rebuild.h"

namespace qrfleet::scan {

ScanAnalyticsHandler::ScanAnalyticsHandler(ScanEnricher enricher, ScanAnalyticsOptions options)
    : enricher_(std::move(enricher)), options_(std::move(options)) {}

void ScanAnalyticsHandler::apply(std::span<const Decoded<events::ScanRecorded>> scans, Effects& fx) {
  auto& txn = fx.sql();
  std::vector<ScanFacts> facts;
  facts.reserve(scans.size());
  for (const auto& d : scans) facts.push_back(enricher_.enrich(d.data));

  // Candidates: the first delivery (partition, offset) of each eventId in the
  // batch, in arrival order; later copies are duplicates whatever Postgres says.
  std::vector<std::size_t> order(scans.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto position = [&](std::size_t i) { return std::pair(scans[i].event->source.partition, scans[i].event->offset); };
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return position(a) < position(b); });
  std::unordered_set<std::string_view> ids;
  std::vector<std::size_t> candidates;
  for (auto i : order)
    if (ids.insert(scans[i].event->envelope.eventId).second) candidates.push_back(i);

  SqlArray eventIds, qrs, owners, scannedAt, visitors, countries, devices, oses, browsers, referrers, languages, bots,
      partitions, offsets, dayStarts;
  for (auto i : candidates) {
    const auto& s = scans[i].data;
    const auto& f = facts[i];
    eventIds.add(scans[i].event->envelope.eventId);
    qrs.add(s.qrCodeId);
    owners.add(s.ownerId);
    scannedAt.add(formatRfc3339Millis(s.scannedAtMs));
    visitors.add(f.visitorId);
    countries.add(f.country);
    devices.add(f.agent.device);
    oses.add(f.agent.os);
    browsers.add(f.agent.browser);
    referrers.add(f.referrerHost);
    if (s.language) languages.add(*s.language);
    else languages.addNull();
    bots.addBool(f.agent.isBot());
    partitions.add(static_cast<std::int64_t>(scans[i].event->source.partition));
    offsets.add(scans[i].event->offset);
    dayStarts.add(f.dayStart);
  }
  std::set<std::pair<int, std::int64_t>> inserted;
  std::vector<PriorVisitorMinute> prior;
  // Prepared once per connection (a no-op after the first call on it): the
  // statements are parsed and planned once, not per batch.
  txn.conn().prepare("scan_record", sql::recordScans);
  txn.conn().prepare("scan_apply_totals", sql::applyTotals);
  for (const auto& row : txn.exec_prepared("scan_record", eventIds.str(), qrs.str(), owners.str(), scannedAt.str(),
                                         visitors.str(), countries.str(), devices.str(), oses.str(), browsers.str(),
                                         referrers.str(), languages.str(), bots.str(), partitions.str(),
                                         offsets.str(), dayStarts.str())) {
    if (row[0].as<bool>())
      inserted.insert({row[1].as<int>(), row[2].as<std::int64_t>()});
    else
      prior.push_back({row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::int64_t>(),
                       row[6].as<std::int64_t>()});
  }

  std::vector<NewScan> fresh;
  std::vector<std::size_t> freshIndex;
  for (auto i : candidates)
    if (inserted.count(position(i))) {
      fresh.push_back({scans[i].data.qrCodeId, &facts[i]});
      freshIndex.push_back(i);
    }
  auto totals = totalScans(fresh, prior, options_.burstThreshold);
  std::vector<bool> isNew(scans.size()), suspicious(scans.size());
  SqlArray suspiciousIds;
  for (std::size_t k = 0; k < fresh.size(); ++k) {
    isNew[freshIndex[k]] = true;
    suspicious[freshIndex[k]] = totals.suspicious[k];
    if (totals.suspicious[k]) suspiciousIds.add(scans[freshIndex[k]].event->envelope.eventId);
  }
  for (std::size_t i = 0; i < scans.size(); ++i)
    if (!isNew[i]) fx.duplicate(*scans[i].event);
  if (!fresh.empty()) applyTotals(txn, totals, suspiciousIds);
  applyRedis(scans, facts, isNew, suspicious, fx);
}

void ScanAnalyticsHandler::applyTotals(pqxx::work& txn, const ScanBatchTotals& t, const SqlArray& suspiciousIds) {
  SqlArray mQr, mVisitor, mMinute, mScans;
  for (const auto& [key, n] : t.visitorMinutes) {
    mQr.add(std::get<0>(key));
    mVisitor.add(std::get<1>(key));
    mMinute.add(std::get<2>(key));
    mScans.add(n);
  }
  struct Counts {
    SqlArray qr, bucket, scans, unique, bots, suspicious;
    void add(const std::string& q, const std::string& b, const ScanCounts& c) {
      qr.add(q);
      bucket.add(b);
      scans.add(c.scans);
      unique.add(c.uniqueVisitors);
      bots.add(c.botScans);
      suspicious.add(c.suspiciousScans);
    }
  } daily, hourly;
  for (const auto& [key, c] : t.daily) daily.add(key.first, key.second, c);
  for (const auto& [key, c] : t.hourly) hourly.add(key.first, key.second, c);
  SqlArray dQr, dDay, dDimension, dValue, dScans;
  for (const auto& [key, n] : t.dimensions) {
    dQr.add(std::get<0>(key));
    dDay.add(std::get<1>(key));
    dDimension.add(std::get<2>(key));
    dValue.add(std::get<3>(key));
    dScans.add(n);
  }
  txn.exec_prepared("scan_apply_totals", mQr.str(), mVisitor.str(), mMinute.str(), mScans.str(), daily.qr.str(),
                  daily.bucket.str(), daily.scans.str(), daily.unique.str(), daily.bots.str(), daily.suspicious.str(),
                  hourly.qr.str(), hourly.bucket.str(), hourly.scans.str(), hourly.unique.str(), hourly.bots.str(),
                  hourly.suspicious.str(), dQr.str(), dDay.str(), dDimension.str(), dValue.str(), dScans.str());
  if (suspiciousIds.size() > 0) txn.exec_params(sql::flagSuspicious, suspiciousIds.str());
}

void ScanAnalyticsHandler::applyRedis(std::span<const Decoded<events::ScanRecorded>> scans,
                                      const std::vector<ScanFacts>& facts, const std::vector<bool>& isNew,
                                      const std::vector<bool>& suspicious, Effects& fx) const {
  const std::string& p = options_.redisPrefix;
  std::map<std::string, std::size_t> dayKeys;  // key -> index of an event that wrote it
  // Only the newest entries survive the cap, so each owner's feed gets at most that many per batch.
  std::map<std::string, std::deque<std::size_t>> feeds;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    if (!isNew[i]) continue;
    auto redis = fx.redis(*scans[i].event);
    if (!redis) continue;  // already applied to Redis by an earlier attempt
    const auto& s = scans[i].data;
    const auto& f = facts[i];
    const std::string qr = p + ":qr:" + s.qrCodeId;
    redis.incrBy(qr + ":scans", 1);
    redis.incrBy(qr + ":day:" + f.day + ":scans", 1);
    redis.pfAdd(qr + ":day:" + f.day + ":visitors", f.visitorId);
    dayKeys[qr + ":day:" + f.day + ":scans"] = i;
    dayKeys[qr + ":day:" + f.day + ":visitors"] = i;
    auto& feed = feeds[s.ownerId];
    feed.push_back(i);
    if (feed.size() > static_cast<std::size_t>(options_.liveFeedLength)) feed.pop_front();
  }
  const auto ttl = std::to_string(static_cast<long>(options_.dayKeyTtlDays) * 86400);
  for (const auto& [key, i] : dayKeys) fx.redis(*scans[i].event).command({"EXPIRE", key, ttl});
  for (const auto& [owner, entries] : feeds) {
    for (auto i : entries) {
      const auto& s = scans[i].data;
      const auto& f = facts[i];
      fx.redis(*scans[i].event)
          .xAdd(p + ":owner:" + owner + ":live", options_.liveFeedLength,
                {{"eventId", scans[i].event->envelope.eventId},
                 {"qrCodeId", s.qrCodeId},
                 {"scannedAt", formatRfc3339Millis(s.scannedAtMs)},
                 {"country", f.country},
                 {"device", f.agent.device},
                 {"os", f.agent.os},
                 {"browser", f.agent.browser},
                 {"referrerHost", f.referrerHost},
                 {"suspicious", suspicious[i] ? "1" : "0"}});
    }
  }
}

void ScanAnalyticsHandler::rebuildRedis(pqxx::transaction_base& txn, RedisWriteBuffer& redis) const {
  const std::string& p = options_.redisPrefix;
  const auto ttl = std::to_string(static_cast<long>(options_.dayKeyTtlDays) * 86400);
  for (const auto& row : txn.exec(sql::rebuildTotals))
    redis.add({"SET", p + ":qr:" + row[0].as<std::string>() + ":scans", row[1].as<std::string>()});
  for (const auto& row : txn.exec_params(sql::rebuildDays, options_.dayKeyTtlDays)) {
    auto key = p + ":qr:" + row[0].as<std::string>() + ":day:" + row[1].as<std::string>() + ":scans";
    redis.add({"SET", key, row[2].as<std::string>(), "EX", ttl});
  }
  for (const auto& row : txn.exec_params(sql::rebuildDayVisitors, options_.dayKeyTtlDays)) {
    auto key = p + ":qr:" + row[0].as<std::string>() + ":day:" + row[1].as<std::string>() + ":visitors";
    std::vector<std::string> argv{"PFADD", key};
    auto visitors = row[2].as_array();
    for (auto [kind, value] = visitors.get_next(); kind != pqxx::array_parser::juncture::done;
         std::tie(kind, value) = visitors.get_next())
      if (kind == pqxx::array_parser::juncture::string_value) argv.push_back(value);
    redis.add(std::move(argv));
    redis.add({"EXPIRE", key, ttl});
  }
  for (const auto& row : txn.exec_params(sql::rebuildFeeds, options_.liveFeedLength))
    redis.add({"XADD", p + ":owner:" + row[0].as<std::string>() + ":live", "MAXLEN", "~",
               std::to_string(options_.liveFeedLength), "*", "eventId", row[1].as<std::string>(), "qrCodeId",
               row[2].as<std::string>(), "scannedAt",
               row[3].as<std::string>(), "country",
               row[4].as<std::string>(), "device", row[5].as<std::string>(), "os", row[6].as<std::string>(), "browser",
               row[7].as<std::string>(), "referrerHost", row[8].as<std::string>(), "suspicious",
               row[9].as<bool>() ? "1" : "0"});
}

}  // namespace qrfleet::scan
