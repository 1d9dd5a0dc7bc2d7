#pragma once
#include <cstdint>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// `retention.policy-triggered` (topic data-retention, key ownerId): run a data
// retention policy now, for one owner or for every owner ("*"). Sent on a
// schedule by `qrfleet retention trigger` (the Kubernetes CronJob).
// Contract: schemas/events/retention.policy-triggered.v1.json.
struct RetentionPolicyTriggered {
  static constexpr std::string_view type = "retention.policy-triggered";
  static bool supports(int version) { return version == 1; }

  std::string policy;          // e.g. scan-events-90d, or "all"
  std::string ownerId = "*";   // "*": every owner
  std::int64_t triggeredAtMs = 0;
  bool dryRun = false;

  static RetentionPolicyTriggered fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
