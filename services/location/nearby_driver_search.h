#pragma once
#include <set>
#include <string>
#include <vector>

#include "qrfleet/events/booking_events.h"
#include "qrfleet/stores/redis_client.h"

namespace qrfleet::location {

// The nearest available drivers of a vehicle type around a point: Redis
// GEOSEARCH over the vehicle type's GEO set (great-circle distance), nearest
// first (ties by driver id, so the choice is stable), leaving out busy drivers.
class NearbyDriverSearch {
 public:
  // `alsoBusy`: drivers this batch has just assigned (not in Redis yet).
  static std::vector<events::BroadcastRecipient> find(RedisClient& redis, const std::string& vehicleType,
                                                      const events::GeoPoint& around, double radiusKm, int limit,
                                                      const std::set<std::string>& alsoBusy);
};

}  // namespace qrfleet::location
