#pragma once
#include "webhook_adapter.h"

namespace qrfleet::webhook {

// Stripe: Stripe-Signature (stripe_signature.h) over Stripe Event objects (stripe_event_normalizer.h).
class StripeAdapter : public WebhookAdapter {
 public:
  explicit StripeAdapter(ProviderSettings settings) : settings_(std::move(settings)) {}

  const std::string& provider() const override { return settings_.name; }
  SignatureCheck verify(const HeaderLookup& headers, std::string_view body, std::int64_t nowMs) const override;
  NormalizedWebhook normalize(const nlohmann::json& body) const override;

 private:
  ProviderSettings settings_;
};

}  // namespace qrfleet::webhook
