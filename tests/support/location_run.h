#pragma once
#include <hiredis/hiredis.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/events/booking_events.h"
#include "test_stack.h"
#include "worker_run.h"

namespace qrfleet::testing {

// One scenario of qrfleet-location: fresh location-updates, bookings and
// notifications topics, a clean location schema and an empty Redis.
class LocationRun {
 public:
  LocationRun(const std::string& name, int updatePartitions = 4, int bookingPartitions = 3);

  std::unique_ptr<WorkerProcess> startWorker(std::map<std::string, std::string> extraEnv = {});
  int lastMetricsPort() const { return run_.lastMetricsPort(); }

  Envelope location(const std::string& driverId, const std::string& vehicleType, double lat, double lon,
                    std::int64_t recordedAtMs, const std::optional<std::string>& bookingId = std::nullopt);
  Envelope booking(std::string_view type, const std::string& bookingId, nlohmann::json payload,
                   std::int64_t timestampMs = -1);
  Envelope createBooking(const std::string& bookingId, const std::string& vehicleType, events::GeoPoint pickup,
                         double radiusKm, int maxTransporters, int expiresInSeconds);
  void produceRaw(const std::string& topic, const std::string& key, const std::string& value);
  void flush();

  bool waitCaughtUp(std::chrono::milliseconds timeout);
  // Every envelope on a topic, in partition then offset order.
  std::vector<Envelope> read(const std::string& topic) const;
  std::vector<Envelope> read(const std::string& topic, std::string_view eventType) const;

  const std::string& updatesTopic() const { return run_.topic(0); }
  const std::string& bookingsTopic() const { return run_.topic(1); }
  const std::string& notificationsTopic() const { return run_.output(0); }
  const std::string& group() const { return run_.group(); }
  const TestStack& stack() const { return run_.stack(); }
  EventProducer& producer() { return run_.producer(); }

 private:
  WorkerRun run_;
};

// A Redis SUBSCRIBE connection for checking what was published.
class RedisSubscription {
 public:
  RedisSubscription(const std::string& redisUrl, const std::vector<std::string>& channels);
  ~RedisSubscription();
  RedisSubscription(const RedisSubscription&) = delete;
  RedisSubscription& operator=(const RedisSubscription&) = delete;
  // The next message (channel, payload), or nullopt after `timeout`.
  std::optional<std::pair<std::string, std::string>> next(std::chrono::milliseconds timeout);

 private:
  redisContext* ctx_ = nullptr;
};

// Great-circle distance in km as Redis GEO computes it (haversine, Redis's Earth radius).
double haversineKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace qrfleet::testing
