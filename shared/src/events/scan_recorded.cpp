#include "qrfleet/events/scan_recorded.h"

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

ScanRecorded ScanRecorded::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<ScanRecorded>(e);
  r.onlyFields({"qrCodeId", "ownerId", "scannedAt", "ip", "userAgent", "referrer", "country", "language"});
  ScanRecorded s;
  s.qrCodeId = r.string("qrCodeId", 1, 128);
  s.ownerId = r.string("ownerId", 1, 128);
  s.scannedAtMs = r.timestamp("scannedAt");
  s.ip = r.ipAddress("ip");
  s.userAgent = r.string("userAgent", 0, 1024);
  s.referrer = r.optionalHttpUrl("referrer", 2048);
  s.country = r.optionalCountryCode("country");
  s.language = r.optionalString("language", 1, 35);
  return s;
}

nlohmann::json ScanRecorded::toPayload() const {
  nlohmann::json p = {{"qrCodeId", qrCodeId}, {"ownerId", ownerId}, {"scannedAt", formatRfc3339Millis(scannedAtMs)},
                      {"ip", ip},             {"userAgent", userAgent}};
  if (referrer) p["referrer"] = *referrer;
  if (country) p["country"] = *country;
  if (language) p["language"] = *language;
  return p;
}

}  // namespace qrfleet::events
