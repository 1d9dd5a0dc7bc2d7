#include "location_handler.h"

#include "location_keys.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/events/location_updated.h"

namespace qrfleet::location {

namespace {
using namespace qrfleet::events;

constexpr std::string_view kBookingTypes[] = {BookingCreated::type,   BookingAccepted::type, BookingCancelled::type,
                                              BookingCompleted::type, BookingBroadcast::type, BookingAssigned::type,
                                              BookingExpired::type};

bool isBookingType(std::string_view t) {
  for (auto b : kBookingTypes)
    if (t == b) return true;
  return false;
}

// Every event type here is at version 1.
bool supportedVersion(int version) { return version == 1; }
}  // namespace

LocationHandler::LocationHandler(BookingTopics topics, RuntimeMetrics& metrics)
    : topics_(topics), positions_(metrics), bookings_(std::move(topics), metrics) {}

bool LocationHandler::handlesType(std::string_view t) const { return t == LocationUpdated::type || isBookingType(t); }

bool LocationHandler::supportsVersion(std::string_view t, int version) const {
  return handlesType(t) && (t == LocationUpdated::type ? LocationUpdated::supports(version) : supportedVersion(version));
}

void LocationHandler::handle(std::span<const ConsumedEvent> events, Effects& effects) {
  std::vector<Decoded<LocationUpdated>> updates;
  std::vector<const ConsumedEvent*> bookingEvents;
  for (const auto& e : events) {
    if (e.envelope.eventType != LocationUpdated::type) {
      bookingEvents.push_back(&e);
      continue;
    }
    try {
      updates.push_back({&e, LocationUpdated::fromEnvelope(e.envelope)});
    } catch (const EventRejected& err) {
      effects.reject(e, err.reason(), err.what());
    }
  }
  if (!updates.empty()) positions_.apply(updates, effects);
  if (!bookingEvents.empty()) bookings_.apply(bookingEvents, effects);
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
