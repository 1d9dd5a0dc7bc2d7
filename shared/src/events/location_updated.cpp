#include "qrfleet/events/location_updated.h"

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

LocationUpdated LocationUpdated::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<LocationUpdated>(e);
  r.onlyFields({"driverId", "vehicleType", "latitude", "longitude", "recordedAt", "speedKmh", "bearing", "bookingId"});
  LocationUpdated u;
  u.driverId = r.string("driverId", 1, 128);
  u.vehicleType = r.string("vehicleType", 1, 64);
  for (std::size_t i = 0; i < u.vehicleType.size(); ++i) {
    char c = u.vehicleType[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
    if (!ok) r.violation("field 'vehicleType' must be a lowercase token [a-z0-9][a-z0-9_-]*, got '" + u.vehicleType + "'");
  }
  u.latitude = r.number("latitude", -kMaxGeoLatitude, kMaxGeoLatitude);
  u.longitude = r.number("longitude", -180, 180);
  u.recordedAtMs = r.timestamp("recordedAt");
  u.speedKmh = r.optionalNumber("speedKmh", 0, 400);
  u.bearing = r.optionalNumber("bearing", 0, 360);
  u.bookingId = r.optionalString("bookingId", 1, 128);
  return u;
}

nlohmann::json LocationUpdated::toPayload() const {
  nlohmann::json p = {{"driverId", driverId},   {"vehicleType", vehicleType},
                      {"latitude", latitude},   {"longitude", longitude},
                      {"recordedAt", formatRfc3339Millis(recordedAtMs)}};
  if (speedKmh) p["speedKmh"] = *speedKmh;
  if (bearing) p["bearing"] = *bearing;
  if (bookingId) p["bookingId"] = *bookingId;
  return p;
}

}  // namespace qrfleet::events
