#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// The events of the `bookings` topic (key bookingId). The platform's API
// publishes created/accepted/cancelled/completed; qrfleet-location publishes
// broadcast/assigned/expired. Contracts: schemas/events/booking.*.v1.json.

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

struct BookingCreated {
  static constexpr std::string_view type = "booking.created";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::string customerId;
  std::string vehicleType;
  GeoPoint pickup;
  GeoPoint dropoff;
  double radiusKm = 0;
  int maxTransporters = 0;
  int expiresInSeconds = 0;
  static BookingCreated fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

// A transporter took the booking (may lose to an earlier accept).
struct BookingAccepted {
  static constexpr std::string_view type = "booking.accepted";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::string driverId;
  static BookingAccepted fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BookingCancelled {
  static constexpr std::string_view type = "booking.cancelled";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::optional<std::string> reason;
  static BookingCancelled fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

// The trip is over: the driver is available again.
struct BookingCompleted {
  static constexpr std::string_view type = "booking.completed";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::string driverId;
  static BookingCompleted fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BroadcastRecipient {
  std::string driverId;
  double distanceKm = 0;
};

// Who was offered the booking, nearest first. It carries the whole decision so
// a replay records the same broadcast without searching again.
struct BookingBroadcast {
  static constexpr std::string_view type = "booking.broadcast";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  int transporterCount = 0;
  std::vector<BroadcastRecipient> transporters;
  static BookingBroadcast fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BookingAssigned {
  static constexpr std::string_view type = "booking.assigned";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::string driverId;
  std::string customerId;
  static BookingAssigned fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BookingExpired {
  static constexpr std::string_view type = "booking.expired";
  static bool supports(int version) { return version == 1; }
  std::string bookingId;
  std::int64_t expiredAtMs = 0;  // the deadline, created + expiresInSeconds
  static BookingExpired fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

// Every event of the bookings topic, in the order a booking lives them.
using BookingEvent = std::variant<BookingCreated, BookingBroadcast, BookingAccepted, BookingAssigned, BookingCancelled,
                                  BookingCompleted, BookingExpired>;

}  // namespace qrfleet::events
