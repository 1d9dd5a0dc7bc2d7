#include "stripe_adapter.h"

#include "stripe_event_normalizer.h"
#include "stripe_signature.h"

namespace qrfleet::webhook {

SignatureCheck StripeAdapter::verify(const HeaderLookup& headers, std::string_view body, std::int64_t nowMs) const {
  auto header = headers(std::string(kStripeSignatureHeader));
  std::optional<std::string_view> value;
  if (header) value = *header;
  // Floor division: a time just before a whole second is still that second.
  auto nowSeconds = nowMs >= 0 ? nowMs / 1000 : (nowMs - 999) / 1000;
  return verifyStripeSignature(value, body, settings_.secrets, nowSeconds, settings_.toleranceSeconds);
}

NormalizedWebhook StripeAdapter::normalize(const nlohmann::json& body) const {
  return normalizeStripeEvent(settings_.name, body);
}

}  // namespace qrfleet::webhook
