#include "driver_position_writer.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "location_keys.h"
#include "redis_number.h"
#include "qrfleet/time_format.h"

namespace qrfleet::location {

namespace {

std::string field(const redisReply* r) { return r && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : ""; }

struct Stored {
  std::int64_t recordedAtMs = -1;
  std::string vehicleType;
  std::string activeBooking;
};
}  // namespace

DriverPositionWriter::DriverPositionWriter(RuntimeMetrics& metrics)
    : staleUpdates_(prometheus::BuildCounter()
                        .Name("qrfleet_location_stale_updates_total")
                        .Help("location.updated older than the driver's stored position (kept in history only)")
                        .Register(metrics.registry())
                        .Add({{"service", metrics.service()}})) {}

void DriverPositionWriter::apply(std::span<const Decoded<events::LocationUpdated>> updates, Effects& effects) {
  // Every fix goes to the history, in one COPY.
  {
    pqxx::stream_to copy(effects.sql(), "location.driver_positions",
                         std::vector<std::string>{"driver_id", "recorded_at", "vehicle_type", "latitude", "longitude",
                                                  "speed_kmh", "bearing", "booking_id", "event_id", "kafka_partition",
                                                  "kafka_offset"});
    for (const auto& u : updates) {
      const auto& d = u.data;
      copy << std::make_tuple(d.driverId, formatRfc3339Millis(d.recordedAtMs), d.vehicleType, d.latitude, d.longitude,
                              d.speedKmh, d.bearing, d.bookingId, u.event->envelope.eventId, u.event->source.partition,
                              u.event->offset);
    }
    copy.complete();
  }

  // Redis: only what this batch has not applied yet (a re-run skips the rest).
  std::map<std::string, std::vector<const Decoded<events::LocationUpdated>*>> byDriver;
  for (const auto& u : updates)
    if (effects.redis(*u.event)) byDriver[u.data.driverId].push_back(&u);
  if (byDriver.empty()) return;

  std::vector<std::vector<std::string>> reads;
  reads.reserve(byDriver.size());
  for (const auto& [driverId, list] : byDriver)
    reads.push_back({"HMGET", keys::driver(driverId), "recordedAt", "vehicleType", "activeBooking"});
  auto replies = effects.redisReader().pipeline(reads);

  std::size_t i = 0;
  double stale = 0;
  std::map<std::string, std::vector<std::string>> geoAdds;  // vehicle type -> lon lat member ...
  std::vector<std::string> seen;                           // score member ...
  RedisWriter writer(nullptr);                             // any writer of this batch: they share one buffer
  for (const auto& [driverId, list] : byDriver) {
    const redisReply* r = replies[i++].get();
    Stored stored;
    if (auto t = field(r->element[0]); !t.empty()) std::from_chars(t.data(), t.data() + t.size(), stored.recordedAtMs);
    stored.vehicleType = field(r->element[1]);
    stored.activeBooking = field(r->element[2]);

    // In arrival order: each fix newer than everything before it is published;
    // the newest one is stored.
    const Decoded<events::LocationUpdated>* latest = nullptr;
    std::int64_t newest = stored.recordedAtMs;
    for (const auto* u : list) {
      if (u->data.recordedAtMs <= newest) {
        stale += 1;
        continue;
      }
      newest = u->data.recordedAtMs;
      latest = u;
      const auto& d = u->data;
      auto booking = d.bookingId.value_or(stored.activeBooking);
      if (!booking.empty()) {
        nlohmann::json msg = {{"type", "driver.location"}, {"driverId", driverId}, {"lat", d.latitude},
                              {"lon", d.longitude},        {"recordedAt", formatRfc3339Millis(d.recordedAtMs)}};
        if (d.speedKmh) msg["speedKmh"] = *d.speedKmh;
        if (d.bearing) msg["bearing"] = *d.bearing;
        effects.redis(*u->event).publish(keys::bookingChannel(booking), msg.dump());
      }
    }
    if (!latest) continue;
    const auto& d = latest->data;
    auto redis = effects.redis(*latest->event);
    std::vector<std::string> hset{"HSET", keys::driver(driverId), "lat", redisNumber(d.latitude), "lon", redisNumber(d.longitude),
                                  "recordedAt", std::to_string(d.recordedAtMs), "vehicleType", d.vehicleType};
    hset.insert(hset.end(), {"speedKmh", d.speedKmh ? redisNumber(*d.speedKmh) : "", "bearing",
                             d.bearing ? redisNumber(*d.bearing) : ""});
    redis.command(std::move(hset));
    if (!stored.vehicleType.empty() && stored.vehicleType != d.vehicleType)
      redis.command({"ZREM", keys::geo(stored.vehicleType), driverId});
    auto& geo = geoAdds[d.vehicleType];
    geo.insert(geo.end(), {redisNumber(d.longitude), redisNumber(d.latitude), driverId});
    seen.insert(seen.end(), {std::to_string(d.recordedAtMs), driverId});
    writer = redis;
  }
  // One variadic GEOADD per vehicle type and one ZADD, in chunks: Redis does
  // far less work per member than per command.
  auto chunked = [&writer](const std::string& command, const std::string& key, const std::vector<std::string>& args,
                           std::size_t perMember) {
    constexpr std::size_t kMembersPerCommand = 1000;  // keeps each command (and Redis' time in it) small
    for (std::size_t at = 0; at < args.size(); at += kMembersPerCommand * perMember) {
      std::vector<std::string> argv{command, key};
      auto end = std::min(args.size(), at + kMembersPerCommand * perMember);
      argv.insert(argv.end(), args.begin() + static_cast<std::ptrdiff_t>(at), args.begin() + static_cast<std::ptrdiff_t>(end));
      writer.command(std::move(argv));
    }
  };
  for (const auto& [vehicleType, args] : geoAdds) chunked("GEOADD", keys::geo(vehicleType), args, 3);
  chunked("ZADD", keys::seen, seen, 2);
  if (stale > 0) staleUpdates_.Increment(stale);
}

}  // namespace qrfleet::location
