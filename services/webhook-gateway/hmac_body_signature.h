#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signature_check.h"

namespace qrfleet::webhook {

// The plain scheme many providers use (GitHub, Shopify-like APIs): one header
// holding lower-case hex HMAC-SHA256(secret, body), optionally "sha256="-prefixed.
// It has no timestamp, so a captured request can be replayed: the payments
// worker's de-duplication by provider event id is what makes that harmless.
SignatureCheck verifyHmacBodySignature(std::optional<std::string_view> header, std::string_view body,
                                       const std::vector<std::string>& secrets);

}  // namespace qrfleet::webhook
