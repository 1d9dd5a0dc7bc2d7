#pragma once
#include "webhook_adapter.h"

namespace qrfleet::webhook {

// A provider that signs the body with HMAC-SHA256 in a header of its own
// (hmac_body_signature.h) and sends the generic body (generic_event_normalizer.h).
class HmacAdapter : public WebhookAdapter {
 public:
  explicit HmacAdapter(ProviderSettings settings) : settings_(std::move(settings)) {}

  const std::string& provider() const override { return settings_.name; }
  SignatureCheck verify(const HeaderLookup& headers, std::string_view body, std::int64_t nowMs) const override;
  NormalizedWebhook normalize(const nlohmann::json& body) const override;

 private:
  ProviderSettings settings_;
};

}  // namespace qrfleet::webhook
