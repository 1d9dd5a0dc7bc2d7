#include "booking_dispatcher.h"

#include <pqxx/pqxx>

#include "booking_sql.h"
#include "location_keys.h"
#include "nearby_driver_search.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/route.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/time_format.h"

namespace qrfleet::location {

namespace {
constexpr const char* kSource = "qrfleet-location";
constexpr int kOfferMemoTtlSeconds = 86400;
constexpr int kClosedBookingTtlSeconds = 86400;

nlohmann::json pointJson(const events::GeoPoint& p) { return {{"lat", p.lat}, {"lon", p.lon}}; }

std::string at(const ConsumedEvent& e) { return formatRfc3339Millis(e.envelope.timestampMs); }

nlohmann::json offersJson(const std::vector<events::BroadcastRecipient>& offers) {
  auto list = nlohmann::json::array();
  for (const auto& o : offers) list.push_back({{"driverId", o.driverId}, {"distanceKm", o.distanceKm}});
  return list;
}

// The transporters chosen for a booking, chosen once: a batch re-run after a
// crash finds the first run's choice here and offers to the same ones, so the
// notifications it emits again carry the same ids.
std::vector<events::BroadcastRecipient> chooseOnce(RedisClient& redis, const std::string& bookingId,
                                                   const std::function<std::vector<events::BroadcastRecipient>()>& choose) {
  auto key = keys::offerMemo(bookingId);
  auto memo = redis.command({"GET", key});
  if (memo->type != REDIS_REPLY_STRING) {
    auto offers = choose();
    redis.command({"SET", key, offersJson(offers).dump(), "NX", "EX", std::to_string(kOfferMemoTtlSeconds)});
    memo = redis.command({"GET", key});
  }
  std::vector<events::BroadcastRecipient> offers;
  for (const auto& o : nlohmann::json::parse(std::string(memo->str, memo->len)))
    offers.push_back({o.at("driverId").get<std::string>(), o.at("distanceKm").get<double>()});
  return offers;
}
}  // namespace

BookingDispatcher::BookingDispatcher(BookingTopics topics, RuntimeMetrics& metrics)
    : topics_(std::move(topics)),
      accepts_(prometheus::BuildCounter()
                   .Name("qrfleet_location_accepts_total")
                   .Help("booking.accepted by outcome: won, taken, repeat, expired, cancelled, not-offered, unknown-booking")
                   .Register(metrics.registry())),
      service_(metrics.service()) {}

void BookingDispatcher::apply(std::span<const Decoded<events::BookingEvent>> batch, Effects& fx) {
  assignedInBatch_.clear();
  forEachEvent(batch, fx, [&](const Decoded<events::BookingEvent>& e) {
    std::visit([&](const auto& event) { on(*e.event, event, fx); }, e.data);
  });
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingCreated& b, Effects& fx) {
  auto& txn = fx.sql();
  auto row = txn.exec_params(sql::insertBooking, b.bookingId, b.customerId, b.vehicleType, b.pickup.lat, b.pickup.lon,
                             b.dropoff.lat, b.dropoff.lon, b.radiusKm, b.maxTransporters, e.envelope.eventId, at(e),
                             b.expiresInSeconds);
  if (row.empty()) {
    auto by = txn.exec_params1(sql::createdBy, b.bookingId)[0].as<std::string>();
    if (by == e.envelope.eventId) return fx.duplicate(e);
    throw EventRejected(RejectReason::handlerRejected,
                        "booking " + b.bookingId + " already exists (created by event " + by + ")");
  }
  auto expiresAtMs = row[0][0].as<std::int64_t>();
  auto redis = fx.redis(e);
  redis.command({"HSET", keys::booking(b.bookingId), "status", "open", "customerId", b.customerId, "vehicleType",
                 b.vehicleType, "expiresAt", std::to_string(expiresAtMs)});
  // On a replay the offers come from the booking.broadcast that follows.
  if (fx.replaying()) return;

  auto offers = chooseOnce(fx.redisReader(), b.bookingId, [&] {
    return NearbyDriverSearch::find(fx.redisReader(), b.vehicleType, b.pickup, b.radiusKm, b.maxTransporters,
                                    assignedInBatch_);
  });
  recordOffers(fx, b.bookingId, offers);
  redis.command({"HSET", keys::booking(b.bookingId), "offered", std::to_string(offers.size())});

  nlohmann::json offer = {{"type", "booking.offer"},        {"bookingId", b.bookingId},
                          {"vehicleType", b.vehicleType},   {"pickup", pointJson(b.pickup)},
                          {"dropoff", pointJson(b.dropoff)}, {"expiresAt", formatRfc3339Millis(expiresAtMs)}};
  for (const auto& o : offers) {
    offer["distanceKm"] = o.distanceKm;
    events::NotificationRequested n{o.driverId, "push", "booking.offer", offer};
    fx.emit(topics_.notifications, o.driverId,
            derivedEvent(e.envelope, "notification/" + o.driverId, n.type, 1, n.toPayload(), kSource));
    redis.publish(keys::transporterChannel(o.driverId), offer.dump());
  }
  events::BookingBroadcast broadcast{b.bookingId, static_cast<int>(offers.size()), offers};
  fx.emit(topics_.bookings, b.bookingId,
          derivedEvent(e.envelope, "booking.broadcast", broadcast.type, 1, broadcast.toPayload(), kSource));
  redis.publish(keys::bookingChannel(b.bookingId),
                nlohmann::json{{"type", "booking.broadcast"}, {"bookingId", b.bookingId}, {"offered", offers.size()}}
                    .dump());
}

void BookingDispatcher::recordOffers(Effects& fx, const std::string& bookingId,
                                     const std::vector<events::BroadcastRecipient>& offers) {
  if (fx.sql().exec_params(sql::recordOfferCount, bookingId, static_cast<int>(offers.size())).empty()) return;
  pqxx::stream_to copy(fx.sql(), "location.booking_offers",
                       std::vector<std::string>{"booking_id", "driver_id", "rank", "distance_km"});
  int rank = 0;
  for (const auto& o : offers) copy << std::make_tuple(bookingId, o.driverId, ++rank, o.distanceKm);
  copy.complete();
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingBroadcast& b, Effects& fx) {
  // Live, created() recorded these already and this changes nothing.
  if (fx.sql().exec_params(sql::createdBy, b.bookingId).empty())
    throw EventRejected(RejectReason::handlerRejected, "booking.broadcast for unknown booking " + b.bookingId);
  recordOffers(fx, b.bookingId, b.transporters);
  fx.redis(e).command({"HSET", keys::booking(b.bookingId), "offered", std::to_string(b.transporters.size())});
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingAccepted& a, Effects& fx) {
  auto& txn = fx.sql();
  if (!txn.exec_params(sql::acceptSeen, e.envelope.eventId).empty()) return fx.duplicate(e);
  auto rows = txn.exec_params(sql::bookingForAccept, a.bookingId, a.driverId, at(e));
  std::string outcome;
  std::string customer;
  std::string createdBy;
  if (rows.empty()) {
    outcome = "unknown-booking";
  } else {
    auto r = rows[0];
    auto status = r[0].as<std::string>();
    auto winner = r[1].is_null() ? std::string() : r[1].as<std::string>();
    customer = r[2].as<std::string>();
    createdBy = r[3].as<std::string>();
    if (!r[5].as<bool>()) outcome = "not-offered";
    else if (status == "assigned" || status == "completed") outcome = winner == a.driverId ? "repeat" : "taken";
    else if (status == "cancelled") outcome = "cancelled";
    else if (status == "expired" || r[4].as<bool>()) outcome = "expired";
    else outcome = "won";
  }
  txn.exec_params(sql::recordAccept, e.envelope.eventId, a.bookingId, a.driverId, at(e), outcome, e.source.partition,
                  e.offset);
  accepts_.Add({{"service", service_}, {"outcome", outcome}}).Increment();
  auto redis = fx.redis(e);
  if (outcome != "won") {
    if (outcome != "repeat")
      redis.publish(keys::transporterChannel(a.driverId),
                    nlohmann::json{{"type", "booking.accept-rejected"}, {"bookingId", a.bookingId}, {"reason", outcome}}
                        .dump());
    return;
  }
  txn.exec_params0(sql::assign, a.bookingId, a.driverId, at(e));
  assignedInBatch_.insert(a.driverId);
  redis.command({"HSET", keys::booking(a.bookingId), "status", "assigned", "driverId", a.driverId});
  redis.command({"HSET", keys::driver(a.driverId), "activeBooking", a.bookingId});
  redis.command({"SADD", keys::busy, a.driverId});
  events::BookingAssigned assigned{a.bookingId, a.driverId, customer};
  fx.emit(topics_.bookings, a.bookingId,
          derivedEvent(e.envelope, "booking.assigned", assigned.type, 1, assigned.toPayload(), kSource));
  redis.publish(keys::transporterChannel(a.driverId),
                nlohmann::json{{"type", "booking.assigned"}, {"bookingId", a.bookingId}}.dump());
  tellOffered(e, fx, a.bookingId, {{"type", "booking.taken"}, {"bookingId", a.bookingId}}, a.driverId);
  redis.publish(keys::bookingChannel(a.bookingId),
                nlohmann::json{{"type", "booking.assigned"}, {"bookingId", a.bookingId}, {"driverId", a.driverId}}.dump());
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingCancelled& c, Effects& fx) {
  auto& txn = fx.sql();
  auto status = txn.exec_params(sql::bookingStatus, c.bookingId);
  if (status.empty()) throw EventRejected(RejectReason::handlerRejected, "cancel of unknown booking " + c.bookingId);
  auto closed = txn.exec_params(sql::close, c.bookingId, "cancelled", at(e), "open,assigned");
  if (closed.empty()) {
    auto was = status[0][0].as<std::string>();
    if (was == "completed")
      throw EventRejected(RejectReason::handlerRejected, "cancel of booking " + c.bookingId + ", which is completed");
    return;  // cancelled or expired already: nothing left to stop
  }
  auto driver = closed[0][0].as<std::string>();
  auto redis = fx.redis(e);
  redis.command({"HSET", keys::booking(c.bookingId), "status", "cancelled"});
  redis.command({"EXPIRE", keys::booking(c.bookingId), std::to_string(kClosedBookingTtlSeconds)});
  if (!driver.empty()) {
    redis.command({"HDEL", keys::driver(driver), "activeBooking"});
    redis.command({"SREM", keys::busy, driver});
  }
  nlohmann::json news = {{"type", "booking.cancelled"}, {"bookingId", c.bookingId}};
  if (c.reason) news["reason"] = *c.reason;
  tellOffered(e, fx, c.bookingId, news);
  redis.publish(keys::bookingChannel(c.bookingId), news.dump());
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingCompleted& c, Effects& fx) {
  auto& txn = fx.sql();
  auto status = txn.exec_params(sql::bookingStatus, c.bookingId);
  bool assignedToDriver = !status.empty() && status[0][0].as<std::string>() == "assigned" &&
                          !status[0][1].is_null() && status[0][1].as<std::string>() == c.driverId;
  if (!assignedToDriver)
    throw EventRejected(RejectReason::handlerRejected,
                        "completion of booking " + c.bookingId + ", which is not assigned to " + c.driverId);
  txn.exec_params(sql::close, c.bookingId, "completed", at(e), "assigned");
  auto redis = fx.redis(e);
  redis.command({"HSET", keys::booking(c.bookingId), "status", "completed"});
  redis.command({"EXPIRE", keys::booking(c.bookingId), std::to_string(kClosedBookingTtlSeconds)});
  redis.command({"HDEL", keys::driver(c.driverId), "activeBooking"});
  redis.command({"SREM", keys::busy, c.driverId});
  redis.publish(keys::bookingChannel(c.bookingId),
                nlohmann::json{{"type", "booking.completed"}, {"bookingId", c.bookingId}}.dump());
}

void BookingDispatcher::on(const ConsumedEvent& e, const events::BookingExpired& x, Effects& fx) {
  // Nothing to do when an accept or a cancel came first.
  if (fx.sql().exec_params(sql::close, x.bookingId, "expired", formatRfc3339Millis(x.expiredAtMs), "open").empty())
    return;
  auto redis = fx.redis(e);
  redis.command({"HSET", keys::booking(x.bookingId), "status", "expired"});
  redis.command({"EXPIRE", keys::booking(x.bookingId), std::to_string(kClosedBookingTtlSeconds)});
  nlohmann::json news = {{"type", "booking.expired"}, {"bookingId", x.bookingId}};
  tellOffered(e, fx, x.bookingId, news);
  redis.publish(keys::bookingChannel(x.bookingId), news.dump());
}

void BookingDispatcher::tellOffered(const ConsumedEvent& e, Effects& fx, const std::string& bookingId,
                                    const nlohmann::json& message, const std::string& except) {
  auto redis = fx.redis(e);
  if (!redis || fx.replaying()) return;
  auto text = message.dump();
  for (const auto& row : fx.sql().exec_params(sql::offeredDrivers, bookingId)) {
    auto driver = row[0].as<std::string>();
    if (driver != except) redis.publish(keys::transporterChannel(driver), text);
  }
}

}  // namespace qrfleet::location
