#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signature_check.h"

namespace qrfleet::webhook {

// Stripe's webhook signature, as Stripe documents it: the header
//   Stripe-Signature: t=1492774577,v1=5257a8...,v1=...,v0=...
// carries the signing time and one v1 signature per active endpoint secret
// (several while a secret is rolled); v1 = hex(HMAC-SHA256(secret, "<t>.<body>")).
// Other schemes (v0, the test-mode scheme) are ignored.
struct StripeSignatureHeader {
  std::int64_t timestamp = 0;
  std::vector<std::string> v1;
};

inline constexpr std::string_view kStripeSignatureHeader = "Stripe-Signature";

// nullopt when t is missing, repeated or not a number, or when there is no v1.
std::optional<StripeSignatureHeader> parseStripeSignatureHeader(std::string_view header);

// The v1 signature of `body` at `timestamp` with `secret` (tests, and what a sender computes).
std::string stripeSignature(std::string_view secret, std::int64_t timestamp, std::string_view body);

// Valid when any v1 equals the signature with any of `secrets` (constant-time
// comparisons) and |nowSeconds - t| <= toleranceSeconds. `header` is nullopt
// when the request has none.
SignatureCheck verifyStripeSignature(std::optional<std::string_view> header, std::string_view body,
                                     const std::vector<std::string>& secrets, std::int64_t nowSeconds,
                                     std::int64_t toleranceSeconds);

}  // namespace qrfleet::webhook
