#pragma once
// The SQL of the booking flow. Bookings are keyed by bookingId, so one
// partition owner applies every event of a booking, in order, and each
// statement sees the effects of the ones before it in the same transaction.

namespace qrfleet::location::sql {

// $1 booking, $2 customer, $3 vehicle type, $4..$7 pickup/dropoff, $8 radius,
// $9 max transporters, $10 created event id, $11 created at, $12 expires in (s).
inline constexpr const char* insertBooking = R"sql(
INSERT INTO location.bookings (booking_id, customer_id, vehicle_type, pickup_lat, pickup_lon, dropoff_lat, dropoff_lon,
                               radius_km, max_transporters, created_event_id, created_at, expires_at, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz, $11::timestamptz + make_interval(secs => $12), 'open')
ON CONFLICT (booking_id) DO NOTHING
RETURNING (extract(epoch FROM expires_at) * 1000)::bigint)sql";

inline constexpr const char* createdBy = "SELECT created_event_id::text FROM location.bookings WHERE booking_id = $1";

// Marks the broadcast recorded; no row when it already was (a re-delivered booking.broadcast).
inline constexpr const char* recordOfferCount = R"sql(
UPDATE location.bookings SET offered_count = $2 WHERE booking_id = $1 AND offered_count IS NULL RETURNING 1)sql";

inline constexpr const char* offeredDrivers =
    "SELECT driver_id FROM location.booking_offers WHERE booking_id = $1 ORDER BY rank";

// What an accept is judged against. $3: the accept's time.
inline constexpr const char* bookingForAccept = R"sql(
SELECT b.status, b.driver_id, b.customer_id, b.created_event_id::text, $3::timestamptz > b.expires_at AS late,
       EXISTS (SELECT 1 FROM location.booking_offers o WHERE o.booking_id = b.booking_id AND o.driver_id = $2) AS offered
FROM location.bookings b WHERE b.booking_id = $1)sql";

inline constexpr const char* acceptSeen = "SELECT 1 FROM location.booking_accepts WHERE event_id = $1";

inline constexpr const char* recordAccept = R"sql(
INSERT INTO location.booking_accepts (event_id, booking_id, driver_id, accepted_at, outcome, kafka_partition, kafka_offset)
VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7))sql";

inline constexpr const char* assign = R"sql(
UPDATE location.bookings SET status = 'assigned', driver_id = $2, assigned_at = $3::timestamptz
WHERE booking_id = $1 AND status = 'open')sql";

inline constexpr const char* bookingStatus =
    "SELECT status, driver_id FROM location.bookings WHERE booking_id = $1";

// Closes an open or assigned booking; returns the driver it was assigned to (or null).
inline constexpr const char* close = R"sql(
UPDATE location.bookings SET status = $2, closed_at = $3::timestamptz
WHERE booking_id = $1 AND status = ANY (string_to_array($4, ','))
RETURNING coalesce(driver_id, ''))sql";

// The expiry task: bookings past their deadline that nobody took, claimed so
// that replicas running the task at once split them instead of doubling them.
inline constexpr const char* claimDue = R"sql(
SELECT booking_id, created_event_id::text, (extract(epoch FROM expires_at) * 1000)::bigint
FROM location.bookings
WHERE status = 'open' AND expiry_emitted_at IS NULL AND expires_at <= now()
ORDER BY expires_at LIMIT $1
FOR UPDATE SKIP LOCKED)sql";

inline constexpr const char* markExpiryEmitted = R"sql(
UPDATE location.bookings SET expiry_emitted_at = now() WHERE booking_id = ANY ($1::text[]))sql";

}  // namespace qrfleet::location::sql
