#pragma once
#include <chrono>
#include <string>

#include "qrfleet/periodic_task.h"

namespace qrfleet::location {

// Emits booking.expired for bookings nobody accepted by their deadline. The
// consume path applies it (BookingDispatcher::expired), so an accept that came
// first in the partition still wins, and a replay reproduces the outcome.
//
// Once: due bookings are claimed FOR UPDATE SKIP LOCKED (replicas split them),
// the events are acknowledged by Kafka, then expiry_emitted_at is committed.
// A crash between the two re-emits on the next run with the same event id
// (uuidV5 of booking.created's id), which consumers de-duplicate.
PeriodicTask bookingExpiryTask(std::string bookingsTopic, std::chrono::milliseconds interval, int claimLimit = 500);

}  // namespace qrfleet::location
