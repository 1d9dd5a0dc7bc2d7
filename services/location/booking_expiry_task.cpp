#include "booking_expiry_task.h"

#include "booking_sql.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/outbox_task.h"
#include "qrfleet/time_format.h"

namespace qrfleet::location {

PeriodicTask bookingExpiryTask(std::string bookingsTopic, std::chrono::milliseconds interval, int claimLimit) {
  OutboxTask o;
  o.name = "booking-expiry";
  o.interval = interval;
  o.claimLimit = claimLimit;
  o.claimSql = sql::claimDue;
  o.message = [bookingsTopic = std::move(bookingsTopic)](const pqxx::row& row) {
    auto bookingId = row[0].as<std::string>();
    Envelope created;  // the cause: booking.created's id names the follow-up
    created.eventId = row[1].as<std::string>();
    events::BookingExpired x{bookingId, row[2].as<std::int64_t>()};
    return OutboxMessage{bookingsTopic, bookingId,
                         derivedEvent(created, "booking.expired", x.type, 1, x.toPayload(), "qrfleet-location", nowMillis())};
  };
  o.markSql = sql::markExpiryEmitted;
  o.logMessage = "bookings expired";
  return outboxTask(std::move(o));
}

}  // namespace qrfleet::location
