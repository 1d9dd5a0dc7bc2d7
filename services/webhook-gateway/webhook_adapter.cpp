#include "webhook_adapter.h"

#include <stdexcept>

#include "hmac_adapter.h"
#include "stripe_adapter.h"

namespace qrfleet::webhook {

std::unique_ptr<WebhookAdapter> makeWebhookAdapter(const ProviderSettings& provider) {
  if (provider.scheme == "stripe") return std::make_unique<StripeAdapter>(provider);
  if (provider.scheme == "hmac-sha256") return std::make_unique<HmacAdapter>(provider);
  throw std::invalid_argument("provider " + provider.name + ": no adapter for scheme '" + provider.scheme + "'");
}

}  // namespace qrfleet::webhook
