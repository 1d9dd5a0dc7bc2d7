#include "location_definition.h"

#include "booking_expiry_task.h"
#include "location_handler.h"
#include "location_migrations.h"
#include "stale_driver_sweep.h"

qrfleet::ServiceDefinition locationDefinition() {
  qrfleet::ServiceDefinition d;
  d.name = "location";
  d.description = "Live driver locations (Redis GEO), booking broadcast to nearby transporters, first-accept-wins, expiry";
  d.consumerGroup = "location";
  using qrfleet::location::LocationHandler;
  d.routes = {
      qrfleet::route("location-updates", "driverId", &LocationHandler::applyPositions),
      qrfleet::route("bookings", "bookingId", &LocationHandler::applyBookings),
  };
  d.postgresSchema = "location";
  d.redisPrefix = "location";
  d.migrations = qrfleet::locationMigrations();
  d.volatileColumns = {"bookings.expiry_emitted_at"};
  // GEO membership and last-seen scores depend on when the stale sweep ran;
  // offer memos exist only where a live run chose offers.
  d.interleavingDependentKeys = {"geo:*", "seen", "offer-memo:*"};
  d.options = {
      {"LOCATION_DRIVER_STALE_AFTER_S", "seconds without an update before a driver leaves the GEO sets", "300"},
      {"LOCATION_SWEEP_INTERVAL_MS", "how often stale drivers are swept", "10000"},
      {"LOCATION_EXPIRY_INTERVAL_MS", "how often bookings past their deadline are looked for", "500"},
      {"LOCATION_BOOKINGS_TOPIC", "topic for booking.broadcast/assigned/expired", "bookings"},
      {"LOCATION_NOTIFICATIONS_TOPIC", "topic for notification.requested", "notifications"},
  };
  auto topics = [](qrfleet::EnvConfig& c) {
    return qrfleet::location::BookingTopics{c.string("LOCATION_BOOKINGS_TOPIC"), c.string("LOCATION_NOTIFICATIONS_TOPIC")};
  };
  d.makeHandler = [topics](qrfleet::ServiceContext& ctx) -> std::unique_ptr<qrfleet::BatchHandler> {
    return std::make_unique<qrfleet::location::LocationHandler>(topics(ctx.config), ctx.metrics);
  };
  d.makeTasks = [topics](qrfleet::ServiceContext& ctx) {
    auto& c = ctx.config;
    auto staleAfter = std::chrono::seconds(c.integer("LOCATION_DRIVER_STALE_AFTER_S", 1, 86400 * 7));
    auto sweepEvery = std::chrono::milliseconds(c.integer("LOCATION_SWEEP_INTERVAL_MS", 100, 3600000));
    auto expiryEvery = std::chrono::milliseconds(c.integer("LOCATION_EXPIRY_INTERVAL_MS", 50, 600000));
    return std::vector<qrfleet::PeriodicTask>{
        qrfleet::location::bookingExpiryTask(topics(c).bookings, expiryEvery),
        qrfleet::location::staleDriverSweep(staleAfter, sweepEvery)};
  };
  return d;
}

