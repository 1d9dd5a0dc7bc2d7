#include <doctest/doctest.h>

#include <cctype>

#include "hmac_sha256.h"
#include "stripe_signature.h"

using namespace qrfleet::webhook;

namespace {
// Computed with: printf '%s' '1492774577.<body>' | openssl dgst -sha256 -hmac '<secret>'
constexpr const char* kBody = R"({"id":"evt_test_webhook","object":"event"})";
constexpr std::int64_t kSigned = 1492774577;
constexpr const char* kSecret = "whsec_test_secret";
constexpr const char* kSignature = "88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a";
constexpr const char* kRotatedSecret = "whsec_rotated_secret";
constexpr const char* kRotatedSignature = "af524073d451c7d4c88504f67486741f245b4510f893cacc6d6ce40699d5baa2";

SignatureCheck check(const std::string& header, const std::string& body = kBody,
                     const std::vector<std::string>& secrets = {kSecret}, std::int64_t now = kSigned + 10) {
  return verifyStripeSignature(header, body, secrets, now, 300);
}
}  // namespace

TEST_CASE("HMAC-SHA256 matches the known vectors") {
  CHECK(hmacSha256Hex("key", "The quick brown fox jumps over the lazy dog") ==
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  CHECK(hmacSha256Hex("key", "") == "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
  CHECK(stripeSignature(kSecret, kSigned, kBody) == kSignature);
  CHECK(constantTimeEqual("abc", "abc"));
  CHECK_FALSE(constantTimeEqual("abc", "abd"));
  CHECK_FALSE(constantTimeEqual("abc", "abcd"));
}

TEST_CASE("a Stripe-Signature header is parsed into t and its v1 signatures") {
  auto h = parseStripeSignatureHeader("t=1492774577,v1=aaa,v0=zzz,v1=bbb");
  REQUIRE(h);
  CHECK(h->timestamp == 1492774577);
  CHECK(h->v1 == std::vector<std::string>{"aaa", "bbb"});
  // Spaces after commas (some proxies fold headers so) are tolerated.
  CHECK(parseStripeSignatureHeader("t=1, v1=aaa"));
  // Malformed: no t, t not a number, a negative or repeated t, no v1 at all.
  CHECK_FALSE(parseStripeSignatureHeader("v1=aaa"));
  CHECK_FALSE(parseStripeSignatureHeader("t=abc,v1=aaa"));
  CHECK_FALSE(parseStripeSignatureHeader("t=-5,v1=aaa"));
  CHECK_FALSE(parseStripeSignatureHeader("t=,v1=aaa"));
  CHECK_FALSE(parseStripeSignatureHeader("t=1,t=2,v1=aaa"));
  CHECK_FALSE(parseStripeSignatureHeader("t=1492774577,v0=zzz"));
  CHECK_FALSE(parseStripeSignatureHeader("t=1492774577"));
  CHECK_FALSE(parseStripeSignatureHeader(""));
  CHECK_FALSE(parseStripeSignatureHeader(",,,"));
  CHECK_FALSE(parseStripeSignatureHeader("t=99999999999999999999,v1=aaa"));
}

TEST_CASE("Stripe signatures: a valid one, several v1, and a rotated secret") {
  auto header = std::string("t=1492774577,v1=") + kSignature;
  CHECK(check(header) == SignatureCheck::valid);
  // The signature computed here agrees with the one computed by openssl above.
  CHECK(check("t=1492774577,v1=" + stripeSignature(kSecret, kSigned, kBody)) == SignatureCheck::valid);
  // Several v1 (Stripe signs with every active secret of the endpoint): any may match.
  CHECK(check("t=1492774577,v1=" + std::string(64, '0') + ",v1=" + kSignature + ",v0=" + kSignature) ==
        SignatureCheck::valid);
  // Rotation: both secrets configured, a request signed with either one passes.
  std::vector<std::string> both = {kSecret, kRotatedSecret};
  CHECK(check("t=1492774577,v1=" + std::string(kRotatedSignature), kBody, both) == SignatureCheck::valid);
  CHECK(check(header, kBody, both) == SignatureCheck::valid);
  // ... and with only the new one, the old signature no longer does.
  CHECK(check(header, kBody, {kRotatedSecret}) == SignatureCheck::noMatch);
}

TEST_CASE("Stripe signatures: refused when tampered with, stale, from the future or malformed") {
  auto header = std::string("t=1492774577,v1=") + kSignature;
  CHECK(check(header, R"({"id":"evt_test_webhook","object":"event" })") == SignatureCheck::noMatch);
  CHECK(check(header, R"({"id":"evt_test_webhook","object":"Event"})") == SignatureCheck::noMatch);
  // The timestamp is part of what is signed: a replay with a fresh t fails.
  CHECK(check(std::string("t=1492774578,v1=") + kSignature, kBody, {kSecret}, 1492774578) == SignatureCheck::noMatch);
  // The v0 scheme is not ours: a v0 that matches is not enough.
  CHECK(check(std::string("t=1492774577,v0=") + kSignature) == SignatureCheck::malformedHeader);
  // Upper-case hex is not what Stripe sends; it does not match.
  std::string upper = kSignature;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(check("t=1492774577,v1=" + upper) == SignatureCheck::noMatch);
  // Tolerance: 300 s either way, inclusive.
  CHECK(verifyStripeSignature(header, kBody, {kSecret}, kSigned + 300, 300) == SignatureCheck::valid);
  CHECK(verifyStripeSignature(header, kBody, {kSecret}, kSigned + 301, 300) == SignatureCheck::outsideTolerance);
  CHECK(verifyStripeSignature(header, kBody, {kSecret}, kSigned - 300, 300) == SignatureCheck::valid);
  CHECK(verifyStripeSignature(header, kBody, {kSecret}, kSigned - 301, 300) == SignatureCheck::outsideTolerance);
  CHECK(verifyStripeSignature(header, kBody, {kSecret}, kSigned + 86400, 300) == SignatureCheck::outsideTolerance);
  // A bad signature with a stale time is a bad signature (the time of a forgery means nothing).
  CHECK(verifyStripeSignature("t=1,v1=abc", kBody, {kSecret}, kSigned, 300) == SignatureCheck::noMatch);
  // Missing or malformed headers.
  CHECK(verifyStripeSignature(std::nullopt, kBody, {kSecret}, kSigned, 300) == SignatureCheck::missingHeader);
  CHECK(check("") == SignatureCheck::missingHeader);
  CHECK(check("garbage") == SignatureCheck::malformedHeader);
  CHECK(check(std::string("v1=") + kSignature) == SignatureCheck::malformedHeader);
  CHECK(check(std::string("t=now,v1=") + kSignature) == SignatureCheck::malformedHeader);
  // No secret is configured that matches: never valid.
  CHECK(check(header, kBody, {}) == SignatureCheck::noMatch);
}

TEST_CASE("a signature problem never shows an expected signature") {
  for (auto c : {SignatureCheck::missingHeader, SignatureCheck::malformedHeader, SignatureCheck::noMatch,
                 SignatureCheck::outsideTolerance})
    CHECK(signatureProblem(c).size() < 40);
}
