// libFuzzer target: the bytes a worker takes from Kafka, through the envelope
// decoder and the scan payload decoder. Refusing input is fine (EventRejected);
// any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "qrfleet/envelope.h"
#include "qrfleet/events/scan_recorded.h"
#include "qrfleet/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static_cast<void>(qrfleet::parseRfc3339Millis(bytes));
  try {
    auto envelope = qrfleet::Envelope::decode(bytes);
    auto scan = qrfleet::events::ScanRecorded::fromEnvelope(envelope);
    // A decoded scan must survive a round trip through its own encoding.
    envelope.payload = scan.toPayload();
    auto again = qrfleet::events::ScanRecorded::fromEnvelope(qrfleet::Envelope::decode(envelope.encode()));
    if (again.qrCodeId != scan.qrCodeId || again.scannedAtMs != scan.scannedAtMs) __builtin_trap();
  } catch (const qrfleet::EventRejected&) {
  }
  return 0;
}
