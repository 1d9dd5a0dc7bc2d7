#pragma once
#include "outgoing_message.h"
#include "provider_settings.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/smtp_client.h"

namespace qrfleet::notify {

// Email through one provider: SMTP (the mail's Message-ID is the
// notification's idempotency key) or SendGrid's v3 API (Idempotency-Key).
// Success detail: the provider's message id.
class EmailSender {
 public:
  EmailSender(SmtpClient& smtp, HttpClient& http) : smtp_(smtp), http_(http) {}
  StepOutcome send(const ProviderSettings& provider, const OutgoingMessage& message, const OutsideCall& call);

 private:
  StepOutcome viaSmtp(const ProviderSettings& provider, const OutgoingMessage& message, const OutsideCall& call);
  StepOutcome viaSendgrid(const ProviderSettings& provider, const OutgoingMessage& message, const OutsideCall& call);
  SmtpClient& smtp_;
  HttpClient& http_;
};

}  // namespace qrfleet::notify
