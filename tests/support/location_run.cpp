#include "location_run.h"

#include <cmath>

#include "qrfleet/event_id.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::testing {

LocationRun::LocationRun(const std::string& name, int updatePartitions, int bookingPartitions)
    : run_({"qrfleet-location", "location", "location-" + name,
            {{"location-updates-" + name, updatePartitions}, {"bookings-" + name, bookingPartitions}},
            {{"notifications-" + name, 3}}, false, true, {}}) {}

std::unique_ptr<WorkerProcess> LocationRun::startWorker(std::map<std::string, std::string> extraEnv) {
  extraEnv.insert({{"LOCATION_BOOKINGS_TOPIC", bookingsTopic()}, {"LOCATION_NOTIFICATIONS_TOPIC", notificationsTopic()}});
  return run_.startWorker(std::move(extraEnv));
}

namespace {
Envelope envelope(std::string_view type, nlohmann::json payload, std::int64_t timestampMs) {
  Envelope e;
  e.eventId = randomUuid();
  e.eventType = type;
  e.version = 1;
  e.timestampMs = timestampMs >= 0 ? timestampMs : nowMillis();
  e.source = "location-test";
  e.payload = std::move(payload);
  return e;
}
}  // namespace

Envelope LocationRun::location(const std::string& driverId, const std::string& vehicleType, double lat, double lon,
                               std::int64_t recordedAtMs, const std::optional<std::string>& bookingId) {
  events::LocationUpdated u;
  u.driverId = driverId;
  u.vehicleType = vehicleType;
  u.latitude = lat;
  u.longitude = lon;
  u.recordedAtMs = recordedAtMs;
  u.bookingId = bookingId;
  auto e = envelope(u.type, u.toPayload(), -1);
  producer().produceEvent(updatesTopic(), driverId, e);
  return e;
}

Envelope LocationRun::booking(std::string_view type, const std::string& bookingId, nlohmann::json payload,
                              std::int64_t timestampMs) {
  auto e = envelope(type, std::move(payload), timestampMs);
  producer().produceEvent(bookingsTopic(), bookingId, e);
  return e;
}

Envelope LocationRun::createBooking(const std::string& bookingId, const std::string& vehicleType,
                                    events::GeoPoint pickup, double radiusKm, int maxTransporters,
                                    int expiresInSeconds) {
  events::BookingCreated b{bookingId, "cus-" + bookingId, vehicleType, pickup, pickup, radiusKm, maxTransporters,
                           expiresInSeconds};
  return booking(b.type, bookingId, b.toPayload());
}

void LocationRun::produceRaw(const std::string& topic, const std::string& key, const std::string& value) {
  producer().produce(topic, key, value, {});
}

void LocationRun::flush() { run_.flush(); }

bool LocationRun::waitCaughtUp(std::chrono::milliseconds timeout) {
  return run_.waitCaughtUp(timeout);
}

std::vector<Envelope> LocationRun::read(const std::string& topic) const { return readEnvelopes(stack(), topic); }

std::vector<Envelope> LocationRun::read(const std::string& topic, std::string_view eventType) const {
  std::vector<Envelope> out;
  for (auto& e : read(topic))
    if (e.eventType == eventType) out.push_back(std::move(e));
  return out;
}

RedisSubscription::RedisSubscription(const std::string& redisUrl, const std::vector<std::string>& channels) {
  // redis://host:port[/db]
  auto rest = redisUrl.substr(redisUrl.find("://") + 3);
  auto hostPort = rest.substr(0, rest.find('/'));
  auto colon = hostPort.rfind(':');
  ctx_ = redisConnect(hostPort.substr(0, colon).c_str(), colon == std::string::npos ? 6379 : std::stoi(hostPort.substr(colon + 1)));
  if (!ctx_ || ctx_->err) throw std::runtime_error("RedisSubscription: cannot connect to " + redisUrl);
  for (const auto& c : channels) {
    auto* r = static_cast<redisReply*>(redisCommand(ctx_, "SUBSCRIBE %b", c.data(), c.size()));
    if (!r) throw std::runtime_error("RedisSubscription: SUBSCRIBE failed");
    freeReplyObject(r);
  }
}

RedisSubscription::~RedisSubscription() {
  if (ctx_) redisFree(ctx_);
}

std::optional<std::pair<std::string, std::string>> RedisSubscription::next(std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  redisSetTimeout(ctx_, tv);
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) {
    // A timeout leaves the context unusable: reconnecting would lose the subscription, so callers stop here.
    return std::nullopt;
  }
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw), freeReplyObject);
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return std::nullopt;
  return std::make_pair(std::string(reply->element[1]->str, reply->element[1]->len),
                        std::string(reply->element[2]->str, reply->element[2]->len));
}

double haversineKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusM = 6372797.560856;  // Redis geohash_helper.c
  constexpr double kRad = M_PI / 180.0;
  double u = std::sin((lat2 - lat1) * kRad / 2), v = std::sin((lon2 - lon1) * kRad / 2);
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(u * u + std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * v * v)) /
         1000.0;
}

}  // namespace qrfleet::testing
