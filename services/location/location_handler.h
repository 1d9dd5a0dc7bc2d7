#pragma once
#include "booking_dispatcher.h"
#include "driver_position_writer.h"
#include "qrfleet/batch_handler.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/route.h"

namespace qrfleet::location {

// qrfleet-location's handler: location updates to DriverPositionWriter,
// booking events to BookingDispatcher.
class LocationHandler : public BatchHandler {
 public:
  LocationHandler(BookingTopics topics, RuntimeMetrics& metrics);

  // The route of location-updates.
  void applyPositions(std::span<const Decoded<events::LocationUpdated>> updates, Effects& effects);
  // The route of bookings: every booking event type, together, in offset order.
  void applyBookings(std::span<const Decoded<events::BookingEvent>> events, Effects& effects);
  std::vector<std::string> emitsTo() const override { return {topics_.bookings, topics_.notifications}; }
  // Latest position per driver from the history, open and assigned bookings
  // (and those closed within a day) from location.bookings.
  void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const override;

 private:
  BookingTopics topics_;
  DriverPositionWriter positions_;
  BookingDispatcher bookings_;
};

}  // namespace qrfleet::location
