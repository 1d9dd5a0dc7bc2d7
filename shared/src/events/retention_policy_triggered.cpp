#include "qrfleet/events/retention_policy_triggered.h"

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

RetentionPolicyTriggered RetentionPolicyTriggered::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<RetentionPolicyTriggered>(e);
  r.onlyFields({"policy", "ownerId", "triggeredAt", "dryRun"});
  RetentionPolicyTriggered t;
  t.policy = r.string("policy", 1, 128);
  t.ownerId = r.string("ownerId", 1, 128);
  t.triggeredAtMs = r.timestamp("triggeredAt");
  if (auto it = e.payload.find("dryRun"); it != e.payload.end()) {
    if (!it->is_boolean()) r.violation("field 'dryRun' must be a boolean");
    t.dryRun = it->get<bool>();
  }
  return t;
}

nlohmann::json RetentionPolicyTriggered::toPayload() const {
  return {{"policy", policy}, {"ownerId", ownerId}, {"triggeredAt", formatRfc3339Millis(triggeredAtMs)}, {"dryRun", dryRun}};
}

}  // namespace qrfleet::events
