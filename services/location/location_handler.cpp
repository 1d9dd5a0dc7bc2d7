#include "location_handler.h"

#include "location_keys.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/events/location_updated.h"

namespace qrfleet::location {

using namespace qrfleet::events;

LocationHandler::LocationHandler(BookingTopics topics, RuntimeMetrics& metrics)
    : topics_(topics), positions_(metrics), bookings_(std::move(topics), metrics) {}

void LocationHandler::applyPositions(std::span<const Decoded<LocationUpdated>> updates, Effects& effects) {
  positions_.apply(updates, effects);
}

void LocationHandler::applyBookings(std::span<const Decoded<BookingEvent>> events, Effects& effects) {
  bookings_.apply(events, effects);
}

void LocationHandler::rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const {
  for (const auto& r : sql.exec(R"sql(
      SELECT DISTINCT ON (driver_id) driver_id, latitude::text, longitude::text,
             (extract(epoch FROM recorded_at) * 1000)::bigint::text, vehicle_type,
             coalesce(speed_kmh::text, ''), coalesce(bearing::text, '')
      FROM location.driver_positions ORDER BY driver_id, recorded_at DESC)sql")) {
    auto driver = r[0].as<std::string>();
    redis.add({"HSET", keys::driver(driver), "lat", r[1].as<std::string>(), "lon", r[2].as<std::string>(),
               "recordedAt", r[3].as<std::string>(), "vehicleType", r[4].as<std::string>(), "speedKmh",
               r[5].as<std::string>(), "bearing", r[6].as<std::string>()});
    redis.add({"GEOADD", keys::geo(r[4].as<std::string>()), r[2].as<std::string>(), r[1].as<std::string>(), driver});
    redis.add({"ZADD", keys::seen, r[3].as<std::string>(), driver});
  }
  for (const auto& r : sql.exec(R"sql(
      SELECT booking_id, status, customer_id, vehicle_type, coalesce(driver_id, ''),
             coalesce(offered_count::text, ''), (extract(epoch FROM expires_at) * 1000)::bigint::text
      FROM location.bookings
      WHERE status IN ('open', 'assigned') OR closed_at > now() - interval '1 day')sql")) {
    auto booking = r[0].as<std::string>();
    auto status = r[1].as<std::string>();
    auto driver = r[4].as<std::string>();
    std::vector<std::string> hset{"HSET", keys::booking(booking), "status", status, "customerId", r[2].as<std::string>(),
                                  "vehicleType", r[3].as<std::string>(), "expiresAt", r[6].as<std::string>()};
    if (!driver.empty()) hset.insert(hset.end(), {"driverId", driver});
    if (!r[5].as<std::string>().empty()) hset.insert(hset.end(), {"offered", r[5].as<std::string>()});
    redis.add(std::move(hset));
    if (status == "assigned") {
      redis.add({"HSET", keys::driver(driver), "activeBooking", booking});
      redis.add({"SADD", keys::busy, driver});
    } else if (status != "open") {
      redis.add({"EXPIRE", keys::booking(booking), "86400"});
    }
  }
}

}  // namespace qrfleet::location
