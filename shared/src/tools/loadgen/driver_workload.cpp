#include "qrfleet/tools/loadgen/driver_workload.h"

#include <cmath>

#include "qrfleet/event_id.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/time_format.h"

namespace qrfleet::loadgen {

namespace {
constexpr double kKmPerDegree = 111.32;
constexpr const char* kVehicleTypes[] = {"truck", "mini-truck", "tempo", "trailer"};
}  // namespace

DriverWorkload::DriverWorkload(DriverWorkloadOptions options) : options_(std::move(options)), rng_(options_.seed) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  drivers_.reserve(static_cast<std::size_t>(options_.drivers));
  for (int i = 0; i < options_.drivers; ++i) {
    double r = options_.radiusKm * std::sqrt(unit(rng_)), a = 2 * M_PI * unit(rng_);
    double lat = options_.centerLat + r * std::cos(a) / kKmPerDegree;
    double lon = options_.centerLon + r * std::sin(a) / (kKmPerDegree * std::cos(options_.centerLat * M_PI / 180));
    auto type = options_.vehicleType.empty() ? kVehicleTypes[i % 4] : options_.vehicleType;
    drivers_.push_back({"drv-" + std::to_string(options_.seed % 100000) + "-" + std::to_string(i), type, lat, lon,
                        360 * unit(rng_)});
  }
}

std::pair<std::string, Envelope> DriverWorkload::next() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto& d = drivers_[static_cast<std::size_t>(index_ % static_cast<std::int64_t>(drivers_.size()))];
  ++index_;
  // 5 .. 40 m along a slowly turning heading.
  d.bearing = std::fmod(d.bearing + 30 * (unit(rng_) - 0.5) + 360, 360);
  double km = 0.005 + 0.035 * unit(rng_);
  d.lat += km * std::cos(d.bearing * M_PI / 180) / kKmPerDegree;
  d.lon += km * std::sin(d.bearing * M_PI / 180) / (kKmPerDegree * std::cos(d.lat * M_PI / 180));
  auto now = nowMillis();
  events::LocationUpdated u;
  u.driverId = d.id;
  u.vehicleType = d.vehicleType;
  u.latitude = std::round(d.lat * 1e6) / 1e6;
  u.longitude = std::round(d.lon * 1e6) / 1e6;
  u.recordedAtMs = unit(rng_) < options_.outOfOrderShare ? now - 30000 : now;
  u.speedKmh = std::round(km * 3600 / 3 * 10) / 10;  // a fix every ~3 s
  u.bearing = std::round(d.bearing);
  Envelope e;
  e.eventId = uuidV5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", std::to_string(options_.seed) + "/" + std::to_string(index_));
  e.eventType = u.type;
  e.version = 1;
  e.timestampMs = now;
  e.source = "qrfleet-loadgen";
  e.payload = u.toPayload();
  return {d.id, std::move(e)};
}

}  // namespace qrfleet::loadgen
