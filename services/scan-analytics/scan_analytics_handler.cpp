#include "scan_analytics_handler.h"

#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "qrfleet/time_format.h"
#include "scan_batch_sql.h"
#include "scan_redis_rebuild.h"

namespace qrfleet::scan {

ScanAnalyticsHandler::ScanAnalyticsHandler(ScanEnricher enricher, ScanAnalyticsOptions options)
    : enricher_(std::move(enricher)), options_(std::move(options)) {}

void ScanAnalyticsHandler::handleDecoded(std::span<const Decoded<events::ScanRecorded>> scans, Effects& fx) {
  auto& txn = fx.sql();
  txn.exec(sql::createStaging);
  std::vector<ScanFacts> facts;
  facts.reserve(scans.size());
  {
    pqxx::stream_to copy(txn, "scan_batch",
                         std::vector<std::string>(std::begin(sql::stagingColumns), std::end(sql::stagingColumns)));
    for (const auto& d : scans) {
      const auto& s = d.data;
      const auto& f = facts.emplace_back(enricher_.enrich(s));
      copy << std::make_tuple(d.event->envelope.eventId, s.qrCodeId, s.ownerId, formatRfc3339Millis(s.scannedAtMs),
                              f.day, f.dayStart, f.hour, f.minute, f.visitorId, f.country, f.agent.device, f.agent.os,
                              f.agent.browser, f.referrerHost, s.language.value_or(""), f.agent.isBot(),
                              d.event->source.partition, d.event->offset);
    }
    copy.complete();
  }
  txn.exec(sql::markNew);
  txn.exec(sql::upsertDaily);
  txn.exec(sql::upsertHourly);
  txn.exec_params(sql::flagBursts, options_.burstThreshold);
  txn.exec(sql::addSuspicious);
  txn.exec(sql::insertEvents);
  txn.exec(sql::upsertDimensions);

  std::map<std::pair<int, std::int64_t>, bool> fresh;  // (partition, offset) -> suspicious
  for (const auto& row : txn.exec(sql::newEvents))
    fresh[{row[0].as<int>(), row[1].as<std::int64_t>()}] = row[2].as<bool>();
  std::vector<bool> isNew(scans.size()), suspicious(scans.size());
  for (std::size_t i = 0; i < scans.size(); ++i) {
    auto it = fresh.find({scans[i].event->source.partition, scans[i].event->offset});
    isNew[i] = it != fresh.end();
    suspicious[i] = isNew[i] && it->second;
    if (!isNew[i]) fx.duplicate(*scans[i].event);
  }
  applyRedis(scans, facts, isNew, suspicious, fx);
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
