// libFuzzer target: the bytes a worker takes from Kafka, through the envelope
// decoder and the payload decoders (scan, location, bookings, notifications). Refusing input is fine (EventRejected);
// any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qrfleet/envelope.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/events/scan_recorded.h"
#include "qrfleet/time_format.h"

namespace {
// A decoded payload must survive a round trip through its own encoding.
template <class Event, class Same>
void roundTrip(qrfleet::Envelope envelope, Same same) {
  auto decoded = Event::fromEnvelope(envelope);
  envelope.payload = decoded.toPayload();
  auto again = Event::fromEnvelope(qrfleet::Envelope::decode(envelope.encode()));
  if (!same(decoded, again)) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static_cast<void>(qrfleet::parseRfc3339Millis(bytes));
  try {
    using namespace qrfleet::events;
    auto envelope = qrfleet::Envelope::decode(bytes);
    // encode() writes its own JSON (appendJson): byte for byte what nlohmann writes.
    if (envelope.encode() != envelope.toJson().dump()) __builtin_trap();
    const auto& t = envelope.eventType;
    if (t == LocationUpdated::type)
      roundTrip<LocationUpdated>(envelope, [](const auto& a, const auto& b) {
        return a.driverId == b.driverId && a.recordedAtMs == b.recordedAtMs && a.latitude == b.latitude;
      });
    else if (t == BookingCreated::type)
      roundTrip<BookingCreated>(envelope, [](const auto& a, const auto& b) {
        return a.bookingId == b.bookingId && a.pickup.lon == b.pickup.lon && a.maxTransporters == b.maxTransporters;
      });
    else if (t == BookingBroadcast::type)
      roundTrip<BookingBroadcast>(envelope, [](const auto& a, const auto& b) { return a.transporters.size() == b.transporters.size(); });
    else if (t == BookingAccepted::type) BookingAccepted::fromEnvelope(envelope);
    else if (t == BookingCancelled::type) BookingCancelled::fromEnvelope(envelope);
    else if (t == BookingExpired::type) BookingExpired::fromEnvelope(envelope);
    else if (t == NotificationRequested::type) NotificationRequested::fromEnvelope(envelope);
    else
      roundTrip<ScanRecorded>(envelope, [](const auto& a, const auto& b) {
        return a.qrCodeId == b.qrCodeId && a.scannedAtMs == b.scannedAtMs;
      });
  } catch (const qrfleet::EventRejected&) {
  }
  return 0;
}
