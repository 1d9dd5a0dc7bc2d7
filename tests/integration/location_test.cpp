// qrfleet-location against the real Kafka, Postgres and Redis.
#include <doctest/doctest.h>
#include <signal.h>

#include <cmath>
#include <set>
#include <thread>

#include "location_run.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/time_format.h"
#include "scan_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {

constexpr events::GeoPoint kPickup{19.0760, 72.8777};  // Mumbai

// The point `km` away from `from` on `bearingDeg` (spherical Earth, Redis's radius).
events::GeoPoint destination(events::GeoPoint from, double km, double bearingDeg) {
  constexpr double kR = 6372.797560856, kRad = M_PI / 180.0;
  double d = km / kR, b = bearingDeg * kRad, lat1 = from.lat * kRad, lon1 = from.lon * kRad;
  double lat2 = std::asin(std::sin(lat1) * std::cos(d) + std::cos(lat1) * std::sin(d) * std::cos(b));
  double lon2 = lon1 + std::atan2(std::sin(b) * std::sin(d) * std::cos(lat1), std::cos(d) - std::sin(lat1) * std::sin(lat2));
  return {lat2 / kRad, lon2 / kRad};
}

std::string redisField(const TestStack& stack, const std::string& key, const std::string& field) {
  RedisClient redis(stack.redisUrl);
  auto r = redis.command({"HGET", key, field});
  return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "";
}

long long scalar(const TestStack& stack, const std::string& sql) { return queryCount(stack.databaseUrl, sql); }

std::string text(const TestStack& stack, const std::string& sql) {
  pqxx::connection c(stack.databaseUrl);
  pqxx::read_transaction t(c);
  auto r = t.exec(sql);
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

std::multiset<std::string> idsOf(const std::vector<Envelope>& events) {
  std::multiset<std::string> ids;
  for (const auto& e : events) ids.insert(e.eventId);
  return ids;
}

std::size_t distinct(const std::multiset<std::string>& ids) { return std::set<std::string>(ids.begin(), ids.end()).size(); }

}  // namespace

TEST_CASE("location: nearby search offers the nearest available drivers at hand-computed distances") {
  LocationRun run("geo");
  auto now = nowMillis();
  // 40 trucks 0.3 .. 8.1 km away in every direction (radius 5 km), 5 minis right at the pickup.
  std::map<std::string, events::GeoPoint> trucks;
  for (int i = 0; i < 40; ++i) {
    auto id = "truck-" + std::to_string(i);
    trucks[id] = destination(kPickup, 0.3 + 0.2 * i, (i * 137) % 360);
    run.location(id, "truck", trucks[id].lat, trucks[id].lon, now);
  }
  for (int i = 0; i < 5; ++i) run.location("mini-" + std::to_string(i), "mini", kPickup.lat, kPickup.lon, now);
  run.flush();
  auto worker = run.startWorker();
  REQUIRE(run.waitCaughtUp(60s));

  // Expected by the test's own haversine over the coordinates it produced.
  std::vector<std::pair<double, std::string>> expected;
  for (const auto& [id, p] : trucks) {
    double km = haversineKm(kPickup.lat, kPickup.lon, p.lat, p.lon);
    if (km <= 5.0) expected.push_back({km, id});
  }
  std::sort(expected.begin(), expected.end());
  REQUIRE(expected.size() == 24);  // 0.3 + 0.2 i <= 5 for i = 0..23

  RedisSubscription nearest(run.stack().redisUrl, {"location:transporter:" + expected[0].second});
  auto created = run.createBooking("bk-geo", "truck", kPickup, 5.0, 10, 600);
  auto createdAll = run.createBooking("bk-geo-all", "truck", kPickup, 5.0, 100, 600);
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));

  auto broadcasts = run.read(run.bookingsTopic(), "booking.broadcast");
  REQUIRE(broadcasts.size() == 2);
  auto first = events::BookingBroadcast::fromEnvelope(broadcasts[0].payload["bookingId"] == "bk-geo" ? broadcasts[0] : broadcasts[1]);
  auto all = events::BookingBroadcast::fromEnvelope(broadcasts[0].payload["bookingId"] == "bk-geo" ? broadcasts[1] : broadcasts[0]);
  REQUIRE(first.transporterCount == 10);
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    CHECK(first.transporters[i].driverId == expected[i].second);
    CHECK(std::abs(first.transporters[i].distanceKm - expected[i].first) < 0.002);  // geohash precision ~0.6 m
  }
  CHECK(all.transporterCount == 24);  // everyone inside 5 km, no one outside, no minis
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(all.transporters[i].driverId == expected[i].second);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_offers WHERE booking_id = 'bk-geo'") == 10);
  CHECK(text(run.stack(), "SELECT driver_id FROM location.booking_offers WHERE booking_id = 'bk-geo' AND rank = 1") ==
        expected[0].second);

  // One push per offered transporter, with ids derived from booking.created.
  auto pushes = run.read(run.notificationsTopic(), "notification.requested");
  CHECK(pushes.size() == 34);
  std::set<std::string> wantIds;
  for (int i = 0; i < 10; ++i) wantIds.insert(uuidV5(created.eventId, "notification/" + expected[i].second));
  for (const auto& e : expected) wantIds.insert(uuidV5(createdAll.eventId, "notification/" + e.second));
  auto got = idsOf(pushes);
  CHECK(std::set<std::string>(got.begin(), got.end()) == wantIds);
  auto push = events::NotificationRequested::fromEnvelope(pushes[0]);
  CHECK(push.channel == "push");
  CHECK(push.templateName == "booking.offer");

  // The nearest transporter's channel got the offer.
  auto msg = nearest.next(5s);
  REQUIRE(msg);
  auto offer = nlohmann::json::parse(msg->second);
  CHECK(offer["type"] == "booking.offer");
  CHECK(offer["bookingId"] == "bk-geo");
  CHECK(std::abs(offer["distanceKm"].get<double>() - expected[0].first) < 0.002);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("location: out-of-order updates never move a driver back") {
  LocationRun run("order");
  auto worker = run.startWorker({{"BATCH_MAX_EVENTS", "100"}});
  const std::int64_t t0 = nowMillis();
  // In one batch: 100, 300, then 200 (late).
  run.location("d1", "truck", 19.00, 72.80, t0 + 100);
  run.location("d1", "truck", 19.03, 72.83, t0 + 300);
  run.location("d1", "truck", 19.02, 72.82, t0 + 200);
  run.flush();
  REQUIRE(run.waitCaughtUp(60s));
  CHECK(redisField(run.stack(), "location:driver:d1", "recordedAt") == std::to_string(t0 + 300));
  CHECK(redisField(run.stack(), "location:driver:d1", "lat") == "19.03");
  // In a later batch: older again, then the vehicle type changes with a newer fix.
  run.location("d1", "truck", 19.01, 72.81, t0 + 250);
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  CHECK(redisField(run.stack(), "location:driver:d1", "lat") == "19.03");
  RedisClient redis(run.stack().redisUrl);
  auto pos = redis.command({"GEOPOS", "location:geo:truck", "d1"});
  REQUIRE(pos->element[0]->type == REDIS_REPLY_ARRAY);
  CHECK(std::abs(std::stod(pos->element[0]->element[1]->str) - 19.03) < 1e-5);
  run.location("d1", "mini", 19.04, 72.84, t0 + 400);
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  CHECK(redis.command({"ZSCORE", "location:geo:truck", "d1"})->type == REDIS_REPLY_NIL);
  CHECK(redis.command({"ZSCORE", "location:geo:mini", "d1"})->type == REDIS_REPLY_STRING);
  CHECK(redis.command({"ZSCORE", "location:seen", "d1"})->str == std::to_string(t0 + 400));
  // The history keeps every fix, late ones included.
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.driver_positions WHERE driver_id = 'd1'") == 5);
  auto metrics = httpGet(run.lastMetricsPort(), "/metrics");
  CHECK(metrics.find("qrfleet_location_stale_updates_total{service=\"location\"} 2") != std::string::npos);
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}

TEST_CASE("location: the first of concurrent accepts wins; the rest are recorded; a replay rebuilds the same state") {
  LocationRun run("accept");
  auto now = nowMillis();
  for (int i = 0; i < 20; ++i) {
    auto p = destination(kPickup, 0.5 + 0.1 * i, i * 18.0);
    run.location("drv-" + std::to_string(i), "truck", p.lat, p.lon, now);
  }
  run.flush();
  auto worker = run.startWorker();
  REQUIRE(run.waitCaughtUp(60s));
  run.createBooking("bk-1", "truck", kPickup, 10, 20, 600);
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  REQUIRE(scalar(run.stack(), "SELECT offered_count FROM location.bookings WHERE booking_id = 'bk-1'") == 20);

  // 20 offered transporters and one who was not offered accept at the same moment, each from its own producer.
  std::vector<std::thread> accepts;
  for (int i = 0; i <= 20; ++i)
    accepts.emplace_back([&, i] {
      EventProducer own(run.stack().kafka(), "accept-" + std::to_string(i));
      Envelope e;
      e.eventId = randomUuid();
      e.eventType = "booking.accepted";
      e.timestampMs = nowMillis();
      e.source = "driver-app";
      e.payload = {{"bookingId", "bk-1"}, {"driverId", i == 20 ? "stranger" : "drv-" + std::to_string(i)}};
      own.produceEvent(run.bookingsTopic(), "bk-1", e);
      own.flush(10s);
    });
  for (auto& t : accepts) t.join();
  REQUIRE(run.waitCaughtUp(30s));

  // The winner is the first accept of an offered transporter in the partition.
  std::string firstOffered;
  for (const auto& e : run.read(run.bookingsTopic(), "booking.accepted"))
    if (e.payload["driverId"] != "stranger") {
      firstOffered = e.payload["driverId"];
      break;
    }
  auto winner = text(run.stack(), "SELECT driver_id FROM location.bookings WHERE booking_id = 'bk-1' AND status = 'assigned'");
  CHECK(winner == firstOffered);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_accepts WHERE outcome = 'won'") == 1);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_accepts WHERE outcome = 'taken'") == 19);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_accepts WHERE outcome = 'not-offered'") == 1);
  auto assigned = run.read(run.bookingsTopic(), "booking.assigned");
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0].payload["driverId"] == winner);
  CHECK(redisField(run.stack(), "location:booking:bk-1", "status") == "assigned");
  CHECK(redisField(run.stack(), "location:driver:" + winner, "activeBooking") == "bk-1");
  RedisClient redis(run.stack().redisUrl);
  CHECK(redis.command({"SISMEMBER", "location:busy", winner})->integer == 1);

  // The customer watches the assigned truck move; a new booking is not offered to the busy driver.
  RedisSubscription watch(run.stack().redisUrl, {"location:booking:bk-1:updates"});
  run.location(winner, "truck", kPickup.lat + 0.001, kPickup.lon, nowMillis());
  run.createBooking("bk-2", "truck", kPickup, 10, 50, 600);
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  auto moved = watch.next(5s);
  REQUIRE(moved);
  CHECK(nlohmann::json::parse(moved->second)["driverId"] == winner);
  CHECK(scalar(run.stack(), "SELECT offered_count FROM location.bookings WHERE booking_id = 'bk-2'") == 19);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_offers WHERE booking_id = 'bk-2' AND driver_id = '" +
                                winner + "'") == 0);
  // Completed: available again. bk-2 is cancelled.
  run.booking("booking.completed", "bk-1", {{"bookingId", "bk-1"}, {"driverId", winner}});
  run.booking("booking.cancelled", "bk-2", {{"bookingId", "bk-2"}, {"reason", "test"}});
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  CHECK(redis.command({"SISMEMBER", "location:busy", winner})->integer == 0);
  CHECK(text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-2'") == "cancelled");
  worker->kill(SIGTERM);
  REQUIRE(worker->wait(20s) == 0);

  // Replay: tables and Redis rebuilt from the topics equal the live ones; nothing is emitted again.
  auto before = run.read(run.notificationsTopic()).size() + run.read(run.bookingsTopic()).size();
  int rc = -1;
  auto out = runCommand("KAFKA_TOPICS=" + run.updatesTopic() + "," + run.bookingsTopic() + " KAFKA_GROUP_ID=" +
                            run.group() + " LOCATION_BOOKINGS_TOPIC=" + run.bookingsTopic() +
                            " LOCATION_NOTIFICATIONS_TOPIC=" + run.notificationsTopic() + " " + run.stack().binDir +
                            "/qrfleet replay location --verify 2>&1",
                        &rc);
  MESSAGE(out);
  CHECK(rc == 0);
  CHECK(out.find("verify OK") != std::string::npos);
  CHECK(run.read(run.notificationsTopic()).size() + run.read(run.bookingsTopic()).size() == before);
  CHECK(text(run.stack(), "SELECT driver_id FROM location.bookings WHERE booking_id = 'bk-1'") == winner);
}

TEST_CASE("location: a booking nobody accepts expires exactly once, across a crash and with two replicas") {
  LocationRun run("expiry");
  auto now = nowMillis();
  for (int i = 0; i < 5; ++i) {
    auto p = destination(kPickup, 1.0 + i, 90);
    run.location("drv-" + std::to_string(i), "truck", p.lat, p.lon, now);
  }
  run.flush();
  std::map<std::string, std::string> fast{{"LOCATION_EXPIRY_INTERVAL_MS", "100"}};
  auto worker = run.startWorker(fast);
  REQUIRE(run.waitCaughtUp(60s));
  run.createBooking("bk-a", "truck", kPickup, 10, 5, 2);    // nobody accepts
  run.createBooking("bk-b", "truck", kPickup, 10, 5, 8);    // expires after the crash, with two replicas
  run.createBooking("bk-c", "truck", kPickup, 10, 5, 3);    // accepted in time
  run.createBooking("bk-d", "truck", kPickup, 10, 5, 3);    // cancelled in time
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  run.booking("booking.accepted", "bk-c", {{"bookingId", "bk-c"}, {"driverId", "drv-0"}});
  run.booking("booking.cancelled", "bk-d", {{"bookingId", "bk-d"}});
  run.flush();
  REQUIRE(waitUntil([&] { return text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-a'") == "expired"; },
                    20s));
  worker->kill(SIGKILL);
  CHECK(worker->wait(10s) == 128 + SIGKILL);
  CHECK(text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-b'") == "open");

  auto second = run.startWorker(fast);
  auto third = run.startWorker(fast);
  REQUIRE(waitUntil([&] { return text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-b'") == "expired"; },
                    60s));
  std::this_thread::sleep_for(2s);  // both replicas keep running their expiry task
  REQUIRE(run.waitCaughtUp(30s));
  std::map<std::string, int> expiredEvents;
  for (const auto& e : run.read(run.bookingsTopic(), "booking.expired")) expiredEvents[e.payload["bookingId"]]++;
  CHECK(expiredEvents == std::map<std::string, int>{{"bk-a", 1}, {"bk-b", 1}});
  CHECK(text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-c'") == "assigned");
  CHECK(text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-d'") == "cancelled");
  CHECK(redisField(run.stack(), "location:booking:bk-a", "status") == "expired");
  CHECK(redisField(run.stack(), "location:booking:bk-b", "status") == "expired");
  // An accept after the deadline loses.
  run.booking("booking.accepted", "bk-b", {{"bookingId", "bk-b"}, {"driverId", "drv-1"}});
  run.flush();
  REQUIRE(run.waitCaughtUp(30s));
  CHECK(text(run.stack(), "SELECT outcome FROM location.booking_accepts WHERE booking_id = 'bk-b'") == "expired");
  second->kill(SIGTERM);
  third->kill(SIGTERM);
  CHECK(second->wait(20s) == 0);
  CHECK(third->wait(20s) == 0);
}

TEST_CASE("location: a broadcast to 1000 transporters killed after producing and before its commit ends in 1000 notifications") {
  LocationRun run("broadcast");
  auto now = nowMillis();
  for (int i = 0; i < 1000; ++i) {
    auto p = destination(kPickup, 0.05 + 0.004 * i, (i * 37) % 360);
    run.location("t-" + std::to_string(i), "truck", p.lat, p.lon, now);
  }
  for (int i = 0; i < 50; ++i) {  // outside the radius
    auto p = destination(kPickup, 12 + 0.1 * i, i * 7.0);
    run.location("far-" + std::to_string(i), "truck", p.lat, p.lon, now);
  }
  run.booking("booking.cancelled", "warm-up", {{"bookingId", "warm-up"}});  // dead-lettered: makes the worker claim the bookings partitions
  run.flush();
  auto worker = run.startWorker();
  REQUIRE(run.waitCaughtUp(60s));

  // Hold the commit: lock the bookings partitions' offset rows, so the worker
  // produces and gets every acknowledgement, then waits for the lock, and dies there.
  pqxx::connection blocker(run.stack().databaseUrl);
  pqxx::work lock(blocker);
  REQUIRE(lock.exec_params("SELECT 1 FROM location.kafka_offsets WHERE topic = $1 FOR UPDATE", run.bookingsTopic())
              .size() == 3);
  auto created = run.createBooking("bk-big", "truck", kPickup, 10, 1000, 600);
  run.flush();
  REQUIRE(waitUntil([&] { return run.read(run.notificationsTopic()).size() >= 1000; }, 60s, 500ms));
  std::this_thread::sleep_for(500ms);
  worker->kill(SIGKILL);
  CHECK(worker->wait(10s) == 128 + SIGKILL);
  lock.abort();
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.bookings WHERE booking_id = 'bk-big'") == 0);

  auto restarted = run.startWorker();
  REQUIRE(run.waitCaughtUp(60s));
  auto pushes = run.read(run.notificationsTopic(), "notification.requested");
  auto ids = idsOf(pushes);
  MESSAGE("notification messages " << pushes.size() << ", distinct ids " << distinct(ids));
  CHECK(pushes.size() == 1000);  // the restart found them acknowledged (EmitLedger) and did not send them again
  CHECK(distinct(ids) == 1000);
  std::set<std::string> want;
  for (int i = 0; i < 1000; ++i) want.insert(uuidV5(created.eventId, "notification/t-" + std::to_string(i)));
  CHECK(std::set<std::string>(ids.begin(), ids.end()) == want);
  CHECK(scalar(run.stack(), "SELECT count(*) FROM location.booking_offers WHERE booking_id = 'bk-big'") == 1000);
  CHECK(distinct(idsOf(run.read(run.bookingsTopic(), "booking.broadcast"))) == 1);
  restarted->kill(SIGTERM);
  CHECK(restarted->wait(20s) == 0);
}

TEST_CASE("location: bad events go to the dead-letter queue and the good ones around them apply") {
  LocationRun run("bad");
  auto worker = run.startWorker();
  auto now = nowMillis();
  run.location("ok-1", "truck", 19.0, 72.8, now);
  run.produceRaw(run.updatesTopic(), "x", "{not json");
  Envelope polar;
  polar.eventId = randomUuid();
  polar.eventType = "location.updated";
  polar.timestampMs = now;
  polar.source = "test";
  polar.payload = {{"driverId", "p"}, {"vehicleType", "truck"}, {"latitude", 89.9}, {"longitude", 0},
                   {"recordedAt", formatRfc3339Millis(now)}};
  run.producer().produceEvent(run.updatesTopic(), "p", polar);
  run.booking("booking.teleported", "bk-x", {{"bookingId", "bk-x"}});
  run.booking("booking.cancelled", "bk-nope", {{"bookingId", "bk-nope"}});
  run.createBooking("bk-open", "truck", kPickup, 5, 3, 600);
  run.booking("booking.completed", "bk-open", {{"bookingId", "bk-open"}, {"driverId", "ok-1"}});
  run.location("ok-2", "truck", 19.1, 72.9, now);
  run.flush();
  REQUIRE(run.waitCaughtUp(60s));
  std::map<std::string, int> classes;
  for (const auto& d : readDeadLetters(run.stack(), run.updatesTopic())) classes[d.headers.at("dlq-error-class")]++;
  for (const auto& d : readDeadLetters(run.stack(), run.bookingsTopic())) classes[d.headers.at("dlq-error-class")]++;
  CHECK(classes == std::map<std::string, int>{{"malformed-json", 1},
                                             {"schema-violation", 1},
                                             {"unknown-event-type", 1},
                                             {"handler-rejected", 2}});
  CHECK(redisField(run.stack(), "location:driver:ok-1", "vehicleType") == "truck");
  CHECK(redisField(run.stack(), "location:driver:ok-2", "vehicleType") == "truck");
  CHECK(text(run.stack(), "SELECT status FROM location.bookings WHERE booking_id = 'bk-open'") == "open");
  worker->kill(SIGTERM);
  CHECK(worker->wait(20s) == 0);
}
