#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "normalized_webhook.h"
#include "provider_settings.h"
#include "signature_check.h"

namespace qrfleet::webhook {

// A request header by name (case-insensitive, as HTTP has it); nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The seam between the gateway and a payment provider: how its webhooks are
// signed and what its bodies mean. One per configured provider, chosen by
// scheme (makeWebhookAdapter); the gateway does the rest (limits, UTF-8 and
// JSON, the webhook claim check, Kafka) the same for all.
class WebhookAdapter {
 public:
  virtual ~WebhookAdapter() = default;

  virtual const std::string& provider() const = 0;
  // Whether the raw body is signed by the provider (called before the body is parsed).
  virtual SignatureCheck verify(const HeaderLookup& headers, std::string_view body, std::int64_t nowMs) const = 0;
  // A verified body (a JSON object) as a payment event, ignored, or unprocessable.
  virtual NormalizedWebhook normalize(const nlohmann::json& body) const = 0;
};

// The adapter of the provider's scheme: "stripe" or "hmac-sha256".
std::unique_ptr<WebhookAdapter> makeWebhookAdapter(const ProviderSettings& provider);

}  // namespace qrfleet::webhook
