#include "stripe_signature.h"

#include <charconv>

#include "hmac_sha256.h"

namespace qrfleet::webhook {

namespace {

// A header names a few signatures; bounding them bounds the comparisons a request costs.
constexpr std::size_t kMaxStripeSignatures = 32;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> unixSeconds(std::string_view s) {
  // Digits only (no sign): from_chars would accept "-5"; 12 digits reach the year 33658.
  if (s.empty() || s.size() > 12) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  std::int64_t out = 0;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return out;
}

}  // namespace

std::optional<StripeSignatureHeader> parseStripeSignatureHeader(std::string_view header) {
  StripeSignatureHeader out;
  bool haveTimestamp = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = trimmed(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;  // not a key=value pair: nothing Stripe sends, nothing we use
    auto key = item.substr(0, eq);
    auto value = item.substr(eq + 1);
    if (key == "t") {
      auto t = unixSeconds(value);
      // Two timestamps would leave it open which one the signatures are of.
      if (!t || haveTimestamp) return std::nullopt;
      out.timestamp = *t;
      haveTimestamp = true;
    } else if (key == "v1") {
      if (value.empty()) continue;
      if (out.v1.size() == kMaxStripeSignatures) return std::nullopt;
      out.v1.emplace_back(value);
    }
  }
  if (!haveTimestamp || out.v1.empty()) return std::nullopt;
  return out;
}

std::string stripeSignature(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  std::string signedPayload = std::to_string(timestamp);
  signedPayload += '.';
  signedPayload.append(body);
  return hmacSha256Hex(secret, signedPayload);
}

SignatureCheck verifyStripeSignature(std::optional<std::string_view> header, std::string_view body,
                                     const std::vector<std::string>& secrets, std::int64_t nowSeconds,
                                     std::int64_t toleranceSeconds) {
  if (!header || trimmed(*header).empty()) return SignatureCheck::missingHeader;
  auto parsed = parseStripeSignatureHeader(*header);
  if (!parsed) return SignatureCheck::malformedHeader;
  bool matched = false;
  for (const auto& secret : secrets) {
    auto expected = stripeSignature(secret, parsed->timestamp, body);
    // No early exit: every signature is compared, whether an earlier one matched or not.
    for (const auto& candidate : parsed->v1) matched = constantTimeEqual(candidate, expected) || matched;
  }
  if (!matched) return SignatureCheck::noMatch;
  // As Stripe's libraries do, the time is judged once the signature is known
  // good: only then is `t` the sender's and not anyone's.
  auto skew = nowSeconds - parsed->timestamp;
  if (skew > toleranceSeconds || skew < -toleranceSeconds) return SignatureCheck::outsideTolerance;
  return SignatureCheck::valid;
}

}  // namespace qrfleet::webhook
