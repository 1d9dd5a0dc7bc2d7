// qrfleet-location's handler in-process (HandlerHarness): its own
// definition against the real Postgres, a rolled-back transaction, no Kafka.
#include <doctest/doctest.h>

#include "location_definition.h"
#include "qrfleet/event_id.h"
#include "qrfleet/testkit/handler_harness.h"
#include "qrfleet/time_format.h"
#include "test_stack.h"

using namespace qrfleet;
using namespace qrfleet::testkit;

namespace {

std::string databaseUrl() { return testing::requireEnv("DATABASE_URL"); }

Envelope booking(const std::string& type, nlohmann::json payload) {
  Envelope e;
  e.eventId = randomUuid();
  e.eventType = type;
  e.timestampMs = nowMillis();
  e.source = "handler-test";
  e.payload = std::move(payload);
  return e;
}

nlohmann::json created(const std::string& id) {
  return {{"bookingId", id},          {"customerId", "cus-1"},   {"vehicleType", "van"},
          {"pickup", {{"lat", 52.5}, {"lon", 13.4}}}, {"dropoff", {{"lat", 52.6}, {"lon", 13.5}}},
          {"radiusKm", 5},           {"maxTransporters", 3},    {"expiresInSeconds", 60}};
}

}  // namespace

TEST_CASE("location: booking events that break the flow are dead-lettered one by one, the others around them apply") {
  HandlerHarness h(locationDefinition(), databaseUrl());
  std::vector<ConsumedEvent> events{
      h.event("bookings", "bk-gone", booking("booking.accepted", {{"bookingId", "bk-gone"}, {"driverId", "d-1"}})),
      h.event("bookings", "bk-1", booking("booking.created", created("bk-1"))),
      h.event("bookings", "bk-gone", booking("booking.cancelled", {{"bookingId", "bk-gone"}})),
      h.event("bookings", "bk-gone",
              booking("booking.broadcast", {{"bookingId", "bk-gone"}, {"transporterCount", 0}, {"transporters", nlohmann::json::array()}})),
      h.event("bookings", "bk-1",
              booking("booking.broadcast",
                      {{"bookingId", "bk-1"}, {"transporterCount", 1}, {"transporters", {{{"driverId", "d-7"}, {"distanceKm", 1.5}}}}})),
      h.event("bookings", "bk-1", booking("booking.teleported", {{"bookingId", "bk-1"}}))};
  HarnessOptions replay;
  replay.replaying = true;  // created() takes no decision under replay: its offers come from the broadcast
  auto refused = h.run(
      events,
      [&](RecordingEffects& fx) {
        auto& sql = fx.sql();
        // In offset order: the accept of an unknown booking is recorded as such, not refused.
        CHECK(sql.exec1("SELECT outcome FROM location.booking_accepts WHERE booking_id = 'bk-gone'")[0].as<std::string>() ==
              "unknown-booking");
        CHECK(sql.exec1("SELECT status FROM location.bookings WHERE booking_id = 'bk-1'")[0].as<std::string>() == "open");
        CHECK(sql.exec1("SELECT count(*) FROM location.booking_offers WHERE booking_id = 'bk-1'")[0].as<int>() == 1);
        REQUIRE(fx.rejected.size() == 2);
        CHECK(fx.rejected[0].event->offset == 2);
        CHECK(fx.rejected[0].reason == RejectReason::handlerRejected);
        CHECK(fx.rejected[0].message == "cancel of unknown booking bk-gone");
        CHECK(fx.rejected[1].event->offset == 3);
        CHECK(fx.rejected[1].message == "booking.broadcast for unknown booking bk-gone");
        CHECK(fx.emitted.empty());  // a replay emits nothing: the follow-ups are in the log
        bool offered = false;
        for (const auto& w : fx.redisWrites())
          if (w.size() >= 4 && w[0] == "HSET" && w[1] == "location:booking:bk-1" && w[2] == "offered") offered = w[3] == "1";
        CHECK(offered);
      },
      replay);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].first->offset == 5);
  CHECK(refused[0].second == RejectReason::unknownEventType);
}
