#include <doctest/doctest.h>

#include <cctype>

#include "hmac_body_signature.h"

using namespace qrfleet::webhook;

namespace {
// printf '%s' '<body>' | openssl dgst -sha256 -hmac 'acme-secret'
constexpr const char* kAcmeBody = R"({"id":"evt_1","type":"payment.succeeded"})";
constexpr const char* kAcmeSignature = "33ae8f1367e22b5c9688ace4fa2e2f25191eea1868718b903e9d0baae4795c8c";
}  // namespace

TEST_CASE("hmac-sha256: the body's HMAC in hex, bare or sha256=-prefixed, with any configured secret") {
  std::vector<std::string> secrets = {"acme-secret"};
  CHECK(verifyHmacBodySignature(std::string_view(kAcmeSignature), kAcmeBody, secrets) == SignatureCheck::valid);
  auto prefixed = std::string("sha256=") + kAcmeSignature;
  CHECK(verifyHmacBodySignature(prefixed, kAcmeBody, secrets) == SignatureCheck::valid);
  std::string upper = kAcmeSignature;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verifyHmacBodySignature(upper, kAcmeBody, secrets) == SignatureCheck::valid);
  // Rotation.
  CHECK(verifyHmacBodySignature(std::string_view(kAcmeSignature), kAcmeBody, {"new-secret", "acme-secret"}) ==
        SignatureCheck::valid);
  CHECK(verifyHmacBodySignature(std::string_view(kAcmeSignature), kAcmeBody, {"new-secret"}) == SignatureCheck::noMatch);
}

TEST_CASE("hmac-sha256: tampered bodies, missing and malformed headers are refused") {
  std::vector<std::string> secrets = {"acme-secret"};
  CHECK(verifyHmacBodySignature(std::string_view(kAcmeSignature), R"({"id":"evt_2","type":"payment.succeeded"})",
                                secrets) == SignatureCheck::noMatch);
  CHECK(verifyHmacBodySignature(std::nullopt, kAcmeBody, secrets) == SignatureCheck::missingHeader);
  CHECK(verifyHmacBodySignature(std::string_view(""), kAcmeBody, secrets) == SignatureCheck::missingHeader);
  CHECK(verifyHmacBodySignature(std::string_view("sha256="), kAcmeBody, secrets) == SignatureCheck::malformedHeader);
  CHECK(verifyHmacBodySignature(std::string_view("sha1=abc"), kAcmeBody, secrets) == SignatureCheck::malformedHeader);
  CHECK(verifyHmacBodySignature(std::string(64, 'g'), kAcmeBody, secrets) == SignatureCheck::malformedHeader);
  CHECK(verifyHmacBodySignature(std::string_view(kAcmeSignature).substr(0, 63), kAcmeBody, secrets) ==
        SignatureCheck::malformedHeader);
}
