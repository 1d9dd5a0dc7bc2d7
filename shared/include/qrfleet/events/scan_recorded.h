#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// `scan.recorded` (topic analytics-events, key qrCodeId).
// Contract: schemas/events/scan.recorded.v1.json.
struct ScanRecorded {
  static constexpr std::string_view type = "scan.recorded";
  static constexpr int latestVersion = 1;
  static bool supports(int version) { return version == 1; }

  std::string qrCodeId;
  std::string ownerId;
  std::int64_t scannedAtMs = 0;
  std::string ip;
  std::string userAgent;
  std::optional<std::string> referrer;
  std::optional<std::string> country;
  std::optional<std::string> language;

  // Decodes any supported version (upcasting older ones); throws EventRejected.
  static ScanRecorded fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
