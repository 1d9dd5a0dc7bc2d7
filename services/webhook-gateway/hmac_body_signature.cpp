#include "hmac_body_signature.h"

#include "hmac_sha256.h"

namespace qrfleet::webhook {

SignatureCheck verifyHmacBodySignature(std::optional<std::string_view> header, std::string_view body,
                                       const std::vector<std::string>& secrets) {
  if (!header) return SignatureCheck::missingHeader;
  auto value = *header;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return SignatureCheck::missingHeader;
  if (value.starts_with("sha256=")) value.remove_prefix(7);
  if (value.size() != 64) return SignatureCheck::malformedHeader;
  for (char c : value)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
      return SignatureCheck::malformedHeader;
  // Hex is case-insensitive; our digest is lower case, so the header's is made so too.
  std::string candidate(value);
  for (auto& c : candidate)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  bool matched = false;
  for (const auto& secret : secrets) matched = constantTimeEqual(candidate, hmacSha256Hex(secret, body)) || matched;
  return matched ? SignatureCheck::valid : SignatureCheck::noMatch;
}

}  // namespace qrfleet::webhook
