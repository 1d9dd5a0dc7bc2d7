#pragma once
#include <string>

// The Redis keys and channels of qrfleet-location: the platform's websocket
// gateways and API read them (README.md documents each one).
namespace qrfleet::location::keys {

inline constexpr const char* prefix = "location";

// Hash: lat, lon, recordedAt (epoch ms), vehicleType, speedKmh, bearing, activeBooking.
inline std::string driver(const std::string& driverId) { return "location:driver:" + driverId; }
// GEO set of the drivers of one vehicle type seen within LOCATION_DRIVER_STALE_AFTER_S.
inline std::string geo(const std::string& vehicleType) { return "location:geo:" + vehicleType; }
// Sorted set: driverId scored by the recordedAt (ms) of its latest position; the stale sweep reads it.
inline constexpr const char* seen = "location:seen";
// Set: drivers with an assigned booking (not offered new ones).
inline constexpr const char* busy = "location:busy";
// Hash: status, customerId, vehicleType, driverId, offered, expiresAt (epoch ms).
inline std::string booking(const std::string& bookingId) { return "location:booking:" + bookingId; }
// String: the transporters chosen for a booking, kept so that a batch that is
// re-run after a crash offers the booking to the same ones (same event ids).
inline std::string offerMemo(const std::string& bookingId) { return "location:offer-memo:" + bookingId; }

// Channel: a booking's customer watches the truck (every position of the
// assigned driver) and the booking's status changes.
inline std::string bookingChannel(const std::string& bookingId) { return "location:booking:" + bookingId + ":updates"; }
// Channel: offers to one transporter, and news of bookings it was offered (taken, cancelled, expired).
inline std::string transporterChannel(const std::string& driverId) { return "location:transporter:" + driverId; }

}  // namespace qrfleet::location::keys
