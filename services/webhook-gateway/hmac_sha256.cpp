#include "hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "qrfleet/hex.h"

namespace qrfleet::webhook {

std::string hmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  // A zero-length key is a valid HMAC key; OpenSSL wants a non-null pointer for it.
  static const unsigned char noKey = 0;
  const void* keyBytes = key.empty() ? &noKey : static_cast<const void*>(key.data());
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (HMAC(EVP_sha256(), keyBytes, static_cast<int>(key.size()), message.empty() ? &noKey : data, message.size(), md,
           &n) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return toHex(md, n);
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  // The length of a signature is no secret (every valid one has 64 characters).
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace qrfleet::webhook
