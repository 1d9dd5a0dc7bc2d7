#include "nearby_driver_search.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "location_keys.h"
#include "redis_number.h"

namespace qrfleet::location {

std::vector<events::BroadcastRecipient> NearbyDriverSearch::find(RedisClient& redis, const std::string& vehicleType,
                                                                 const events::GeoPoint& around, double radiusKm,
                                                                 int limit, const std::set<std::string>& alsoBusy) {
  // Ask for a few more than needed, and for more again if busy drivers ate
  // into them and the radius may hold others.
  auto want = static_cast<long long>(limit) + 16;
  for (;;) {
    auto found = redis.command({"GEOSEARCH", keys::geo(vehicleType), "FROMLONLAT", redisNumber(around.lon), redisNumber(around.lat),
                                "BYRADIUS", redisNumber(radiusKm), "km", "ASC", "COUNT", std::to_string(want), "WITHDIST"});
    std::vector<events::BroadcastRecipient> candidates;
    candidates.reserve(found->elements);
    for (std::size_t i = 0; i < found->elements; ++i) {
      const redisReply* item = found->element[i];
      candidates.push_back({std::string(item->element[0]->str, item->element[0]->len),
                            std::stod(std::string(item->element[1]->str, item->element[1]->len))});
    }
    std::vector<bool> busy(candidates.size(), false);
    if (!candidates.empty()) {
      std::vector<std::string> argv{"SMISMEMBER", keys::busy};
      for (const auto& c : candidates) argv.push_back(c.driverId);
      auto flags = redis.command(argv);
      for (std::size_t i = 0; i < candidates.size(); ++i)
        busy[i] = flags->element[i]->integer == 1 || alsoBusy.count(candidates[i].driverId) > 0;
    }
    std::vector<events::BroadcastRecipient> available;
    for (std::size_t i = 0; i < candidates.size(); ++i)
      if (!busy[i]) available.push_back(std::move(candidates[i]));
    bool exhausted = static_cast<long long>(candidates.size()) < want;
    if (static_cast<int>(available.size()) >= limit || exhausted) {
      std::stable_sort(available.begin(), available.end(), [](const auto& a, const auto& b) {
        return a.distanceKm != b.distanceKm ? a.distanceKm < b.distanceKm : a.driverId < b.driverId;
      });
      if (static_cast<int>(available.size()) > limit) available.resize(static_cast<std::size_t>(limit));
      return available;
    }
    want *= 4;
  }
}

}  // namespace qrfleet::location
