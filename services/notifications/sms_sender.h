#pragma once
#include "outgoing_message.h"
#include "provider_settings.h"
#include "qrfleet/outside/http_client.h"

namespace qrfleet::notify {

// SMS through a Twilio-shaped API: a form body with basic auth, the
// notification's idempotency key in I-Twilio-Idempotency-Token. Success
// detail: the message's sid.
class SmsSender {
 public:
  explicit SmsSender(HttpClient& http) : http_(http) {}
  StepOutcome send(const ProviderSettings& provider, const OutgoingMessage& message, const OutsideCall& call);

 private:
  HttpClient& http_;
};

}  // namespace qrfleet::notify
