#pragma once
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace qrfleet::scan {

// A visitor is a distinct (ip, userAgent) pair. Only this keyed hash is stored
// (HMAC-SHA256 with a per-deployment salt, 128 bits, hex), never the raw IP:
// aggregates stay exact without holding personal data, and without the salt
// the hash cannot be reversed by enumerating the IPv4 space.
//
// The key's inner and outer pad blocks are hashed once, at construction; each
// id then costs two SHA-256 continuations (OpenSSL 3's one-shot HMAC() looks
// the algorithm up on every call, several times slower). Same output as HMAC().
class VisitorId {
 public:
  explicit VisitorId(std::string salt);
  std::string of(std::string_view ip, std::string_view userAgent) const;

 private:
  struct DigestDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  using Digest = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;
  std::shared_ptr<const EVP_MD_CTX> inner_;  // SHA-256 after (key XOR ipad); shared by copies, never changed
  std::shared_ptr<const EVP_MD_CTX> outer_;  // SHA-256 after (key XOR opad)
};

}  // namespace qrfleet::scan
