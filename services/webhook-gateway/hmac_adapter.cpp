#include "hmac_adapter.h"

#include "generic_event_normalizer.h"
#include "hmac_body_signature.h"

namespace qrfleet::webhook {

SignatureCheck HmacAdapter::verify(const HeaderLookup& headers, std::string_view body, std::int64_t /*nowMs*/) const {
  auto header = headers(settings_.header);
  std::optional<std::string_view> value;
  if (header) value = *header;
  return verifyHmacBodySignature(value, body, settings_.secrets);
}

NormalizedWebhook HmacAdapter::normalize(const nlohmann::json& body) const {
  return normalizeGenericEvent(settings_.name, body);
}

}  // namespace qrfleet::webhook
