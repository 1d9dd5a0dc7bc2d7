#pragma once
#include <span>
#include <vector>

#include "outgoing_message.h"
#include "provider_settings.h"
#include "qrfleet/outside/http_client.h"

namespace qrfleet::notify {

// Push through an FCM HTTP v1-shaped API. One message per device token;
// data.idempotencyKey carries the notification's key (with the token's index
// when it has several devices). A fan-out goes as messages:sendEach calls of
// up to the provider's batchSize messages: 1,000 transporters are two calls,
// not 1,000. Per notification: sent when a device accepted it (detail: the
// message names), permanent when every device refused it for good
// (UNREGISTERED, INVALID_ARGUMENT), else transient.
class PushSender {
 public:
  explicit PushSender(HttpClient& http) : http_(http) {}
  // The whole call's outcome (what failover judges the provider by); `each`
  // gets one outcome per message when the call itself got through.
  StepOutcome send(const ProviderSettings& provider, std::span<const OutgoingMessage* const> messages,
                   std::span<const OutsideCall> calls, std::vector<StepOutcome>& each);

 private:
  HttpClient& http_;
};

}  // namespace qrfleet::notify
