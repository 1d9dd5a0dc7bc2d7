#include "qrfleet/events/booking_events.h"

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

namespace {
constexpr std::size_t kIdMax = 128;

GeoPoint readPoint(const PayloadReader& r, const char* field) {
  auto p = r.object(field);
  p.onlyFields({"lat", "lon"});
  return {p.number("lat", -85.05112878, 85.05112878), p.number("lon", -180, 180)};
}

nlohmann::json pointJson(const GeoPoint& p) { return {{"lat", p.lat}, {"lon", p.lon}}; }
}  // namespace

BookingCreated BookingCreated::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingCreated>(e);
  r.onlyFields({"bookingId", "customerId", "vehicleType", "pickup", "dropoff", "radiusKm", "maxTransporters",
                "expiresInSeconds"});
  BookingCreated b;
  b.bookingId = r.string("bookingId", 1, kIdMax);
  b.customerId = r.string("customerId", 1, kIdMax);
  b.vehicleType = r.string("vehicleType", 1, 64);
  b.pickup = readPoint(r, "pickup");
  b.dropoff = readPoint(r, "dropoff");
  b.radiusKm = r.number("radiusKm", 0.01, 500);
  b.maxTransporters = static_cast<int>(r.integer("maxTransporters", 1, 10000));
  b.expiresInSeconds = static_cast<int>(r.integer("expiresInSeconds", 1, 86400));
  return b;
}

nlohmann::json BookingCreated::toPayload() const {
  return {{"bookingId", bookingId},          {"customerId", customerId},         {"vehicleType", vehicleType},
          {"pickup", pointJson(pickup)},     {"dropoff", pointJson(dropoff)},    {"radiusKm", radiusKm},
          {"maxTransporters", maxTransporters}, {"expiresInSeconds", expiresInSeconds}};
}

BookingAccepted BookingAccepted::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingAccepted>(e);
  r.onlyFields({"bookingId", "driverId"});
  return {r.string("bookingId", 1, kIdMax), r.string("driverId", 1, kIdMax)};
}

nlohmann::json BookingAccepted::toPayload() const { return {{"bookingId", bookingId}, {"driverId", driverId}}; }

BookingCancelled BookingCancelled::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingCancelled>(e);
  r.onlyFields({"bookingId", "reason"});
  return {r.string("bookingId", 1, kIdMax), r.optionalString("reason", 1, 500)};
}

nlohmann::json BookingCancelled::toPayload() const {
  nlohmann::json p = {{"bookingId", bookingId}};
  if (reason) p["reason"] = *reason;
  return p;
}

BookingCompleted BookingCompleted::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingCompleted>(e);
  r.onlyFields({"bookingId", "driverId"});
  return {r.string("bookingId", 1, kIdMax), r.string("driverId", 1, kIdMax)};
}

nlohmann::json BookingCompleted::toPayload() const { return {{"bookingId", bookingId}, {"driverId", driverId}}; }

BookingBroadcast BookingBroadcast::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingBroadcast>(e);
  r.onlyFields({"bookingId", "transporterCount", "transporters"});
  BookingBroadcast b;
  b.bookingId = r.string("bookingId", 1, kIdMax);
  b.transporterCount = static_cast<int>(r.integer("transporterCount", 0, 10000));
  const auto& list = r.array("transporters", 0, 10000);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) r.violation("transporters[" + std::to_string(i) + "] must be an object");
    PayloadReader t(list[i], type);
    t.onlyFields({"driverId", "distanceKm"});
    b.transporters.push_back({t.string("driverId", 1, kIdMax), t.number("distanceKm", 0, 20040)});
  }
  if (static_cast<std::size_t>(b.transporterCount) != b.transporters.size())
    r.violation("transporterCount " + std::to_string(b.transporterCount) + " differs from the " +
                std::to_string(b.transporters.size()) + " transporters listed");
  return b;
}

nlohmann::json BookingBroadcast::toPayload() const {
  auto list = nlohmann::json::array();
  for (const auto& t : transporters) list.push_back({{"driverId", t.driverId}, {"distanceKm", t.distanceKm}});
  return {{"bookingId", bookingId}, {"transporterCount", transporterCount}, {"transporters", std::move(list)}};
}

BookingAssigned BookingAssigned::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingAssigned>(e);
  r.onlyFields({"bookingId", "driverId", "customerId"});
  return {r.string("bookingId", 1, kIdMax), r.string("driverId", 1, kIdMax), r.string("customerId", 1, kIdMax)};
}

nlohmann::json BookingAssigned::toPayload() const {
  return {{"bookingId", bookingId}, {"driverId", driverId}, {"customerId", customerId}};
}

BookingExpired BookingExpired::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BookingExpired>(e);
  r.onlyFields({"bookingId", "expiredAt"});
  return {r.string("bookingId", 1, kIdMax), r.timestamp("expiredAt")};
}

nlohmann::json BookingExpired::toPayload() const {
  return {{"bookingId", bookingId}, {"expiredAt", formatRfc3339Millis(expiredAtMs)}};
}

}  // namespace qrfleet::events
