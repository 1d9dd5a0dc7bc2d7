#pragma once
#include "booking_dispatcher.h"
#include "driver_position_writer.h"
#include "qrfleet/batch_handler.h"

namespace qrfleet::location {

// qrfleet-location's handler: location updates to DriverPositionWriter,
// booking events to BookingDispatcher.
class LocationHandler : public BatchHandler {
 public:
  LocationHandler(BookingTopics topics, RuntimeMetrics& metrics);

  bool handlesType(std::string_view eventType) const override;
  bool supportsVersion(std::string_view eventType, int version) const override;
  void handle(std::span<const ConsumedEvent> events, Effects& effects) override;
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
