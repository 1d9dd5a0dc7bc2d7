// libFuzzer target: a signature header and a body as a provider's request
// brings them (first line: the header, the rest: the body), through the
// Stripe-Signature parser and verifier and the hmac-sha256 verifier. Nothing
// may crash, and a header made with the right secret must verify.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hmac_body_signature.h"
#include "hmac_sha256.h"
#include "stripe_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qrfleet::webhook;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  auto header = input.substr(0, newline);
  auto body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  static const std::vector<std::string> secrets = {"whsec_fuzz", "whsec_rotated"};

  auto parsed = parseStripeSignatureHeader(header);
  auto check = verifyStripeSignature(header, body, secrets, 1492774577, 300);
  if (!parsed && check != SignatureCheck::missingHeader && check != SignatureCheck::malformedHeader) __builtin_trap();
  if (parsed) {
    // The same time, signed right: valid at that time, whatever the fuzzer's signatures were.
    auto good = "t=" + std::to_string(parsed->timestamp) + ",v1=" + stripeSignature(secrets[1], parsed->timestamp, body);
    if (verifyStripeSignature(good, body, secrets, parsed->timestamp, 300) != SignatureCheck::valid) __builtin_trap();
  }

  static_cast<void>(verifyHmacBodySignature(header, body, secrets));
  if (verifyHmacBodySignature("sha256=" + hmacSha256Hex(secrets[0], body), body, secrets) != SignatureCheck::valid)
    __builtin_trap();
  return 0;
}
