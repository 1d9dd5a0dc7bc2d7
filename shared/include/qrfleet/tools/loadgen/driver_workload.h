#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::loadgen {

struct DriverWorkloadOptions {
  std::uint64_t seed = 1;
  int drivers = 1000;
  double centerLat = 19.0760;  // Mumbai
  double centerLon = 72.8777;
  double radiusKm = 20;             // drivers start within this distance of the centre
  std::string vehicleType;          // empty: a mix of truck, mini-truck, tempo, trailer
  double outOfOrderShare = 0.01;    // a phone resending an older buffered fix
};

// A deterministic stream of location.updated events: drivers spread around a
// city centre, each moving a few metres per fix, updates round-robin over the
// drivers (as phones report every few seconds), stamped with the current time.
class DriverWorkload {
 public:
  explicit DriverWorkload(DriverWorkloadOptions options);
  // The next event and its Kafka key (the driverId).
  std::pair<std::string, Envelope> next();

 private:
  struct Driver {
    std::string id;
    std::string vehicleType;
    double lat;
    double lon;
    double bearing;
  };
  DriverWorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<Driver> drivers_;
  std::int64_t index_ = 0;
};

}  // namespace qrfleet::loadgen
