#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// Latitudes Redis GEO can index (Web Mercator); the schema has the same bounds.
inline constexpr double kMaxGeoLatitude = 85.05112878;

// `location.updated` (topic location-updates, key driverId): a driver's GPS fix.
// Contract: schemas/events/location.updated.v1.json.
struct LocationUpdated {
  static constexpr std::string_view type = "location.updated";
  static constexpr int latestVersion = 1;
  static bool supports(int version) { return version == 1; }

  std::string driverId;
  std::string vehicleType;  // a lowercase token: it names Redis keys
  double latitude = 0;
  double longitude = 0;
  std::int64_t recordedAtMs = 0;
  std::optional<double> speedKmh;
  std::optional<double> bearing;
  std::optional<std::string> bookingId;

  static LocationUpdated fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
