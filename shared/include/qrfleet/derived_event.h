#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "qrfleet/envelope.h"

namespace qrfleet {

// A follow-up event caused by `cause`. Its id is uuidV5(cause.eventId, step):
// a re-run or retried step emits the same id, so consumers de-duplicate it.
// `step` names the follow-up uniquely among the cause's (e.g.
// "notification/drv_1"). Correlation and tenant carry over; causationId is
// the cause's id; the timestamp is the cause's unless given.
Envelope derivedEvent(const Envelope& cause, std::string_view step, std::string_view eventType, int version,
                      nlohmann::json payload, std::string_view source, std::int64_t timestampMs = -1);

}  // namespace qrfleet
