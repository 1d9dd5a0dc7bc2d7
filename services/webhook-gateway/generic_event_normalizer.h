#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "normalized_webhook.h"

namespace qrfleet::webhook {

// The generic body of the hmac-sha256 adapter, for providers that send (or a
// relay that translates to) qrfleet's own types:
//   {"id": "<provider event id>", "type": "payment.succeeded" (one of the seven),
//    "created": "<RFC 3339>", "data": {<the event's payload fields but provider,
//    providerEventId, occurredAt and webhook>}}
// `data` is read by PaymentEvent's own decoder, so the format is exactly the
// payload schema (schemas/events/*.v1.json). Any other type is ignored.
NormalizedWebhook normalizeGenericEvent(const std::string& provider, const nlohmann::json& body);

}  // namespace qrfleet::webhook
