#include "qrfleet/derived_event.h"

#include "qrfleet/event_id.h"

namespace qrfleet {

Envelope derivedEvent(const Envelope& cause, std::string_view step, std::string_view eventType, int version,
                      nlohmann::json payload, std::string_view source, std::int64_t timestampMs) {
  Envelope e;
  e.eventId = uuidV5(cause.eventId, step);
  e.eventType = eventType;
  e.version = version;
  e.timestampMs = timestampMs >= 0 ? timestampMs : cause.timestampMs;
  e.source = source;
  e.correlationId = cause.correlationId ? cause.correlationId : std::optional<std::string>(cause.eventId);
  e.causationId = cause.eventId;
  e.tenantId = cause.tenantId;
  e.payload = std::move(payload);
  return e;
}

}  // namespace qrfleet
