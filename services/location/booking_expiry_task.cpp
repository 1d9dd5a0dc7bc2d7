#include "booking_expiry_task.h"

#include <pqxx/pqxx>

#include "booking_sql.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/time_format.h"

namespace qrfleet::location {

PeriodicTask bookingExpiryTask(std::string bookingsTopic, std::chrono::milliseconds interval, int claimLimit) {
  return {"booking-expiry", interval, [bookingsTopic, claimLimit](TaskContext& ctx) {
            for (;;) {
              pqxx::work txn(ctx.postgres);
              auto due = txn.exec_params(sql::claimDue, claimLimit);
              if (due.empty()) return;
              std::string claimed;
              for (const auto& row : due) {
                auto bookingId = row[0].as<std::string>();
                Envelope created;  // the cause: booking.created's id names the follow-up
                created.eventId = row[1].as<std::string>();
                events::BookingExpired x{bookingId, row[2].as<std::int64_t>()};
                ctx.producer.produceEvent(bookingsTopic, bookingId,
                                          derivedEvent(created, "booking.expired", x.type, 1, x.toPayload(),
                                                       "qrfleet-location", nowMillis()));
                if (!claimed.empty()) claimed += '\x1f';
                claimed += bookingId;
              }
              ctx.producer.flush(std::chrono::seconds(30));
              txn.exec_params0(sql::markExpiryEmitted, claimed);
              txn.commit();
              ctx.log.info("bookings expired", {{"count", due.size()}});
              if (static_cast<int>(due.size()) < claimLimit) return;
            }
          }};
}

}  // namespace qrfleet::location
