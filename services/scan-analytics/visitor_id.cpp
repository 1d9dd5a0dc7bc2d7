#include "visitor_id.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "qrfleet/hex.h"

namespace qrfleet::scan {

namespace {
constexpr std::size_t kBlock = 64;  // SHA-256 block size

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("VisitorId: OpenSSL ") + what + " failed");
}
}  // namespace

VisitorId::VisitorId(std::string salt) {
  // RFC 2104: a key longer than a block is hashed first, then zero-padded.
  std::array<unsigned char, kBlock> key{};
  if (salt.size() > kBlock) {
    unsigned int len = 0;
    check(EVP_Digest(salt.data(), salt.size(), key.data(), &len, EVP_sha256(), nullptr), "digest");
  } else {
    std::copy(salt.begin(), salt.end(), key.begin());
  }
  auto padded = [&](unsigned char pad) {
    std::array<unsigned char, kBlock> block{};
    for (std::size_t i = 0; i < kBlock; ++i) block[i] = key[i] ^ pad;
    Digest ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::bad_alloc();
    check(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), "init");
    check(EVP_DigestUpdate(ctx.get(), block.data(), block.size()), "update");
    return std::shared_ptr<const EVP_MD_CTX>(ctx.release(), DigestDeleter{});
  };
  inner_ = padded(0x36);
  outer_ = padded(0x5c);
}

std::string VisitorId::of(std::string_view ip, std::string_view userAgent) const {
  Digest ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  unsigned char innerHash[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  unsigned int innerLen = 0, len = 0;
  check(EVP_MD_CTX_copy_ex(ctx.get(), inner_.get()), "copy");
  check(EVP_DigestUpdate(ctx.get(), ip.data(), ip.size()), "update");
  check(EVP_DigestUpdate(ctx.get(), "\n", 1), "update");
  check(EVP_DigestUpdate(ctx.get(), userAgent.data(), userAgent.size()), "update");
  check(EVP_DigestFinal_ex(ctx.get(), innerHash, &innerLen), "final");
  check(EVP_MD_CTX_copy_ex(ctx.get(), outer_.get()), "copy");
  check(EVP_DigestUpdate(ctx.get(), innerHash, innerLen), "update");
  check(EVP_DigestFinal_ex(ctx.get(), mac, &len), "final");
  return toHex(mac, 16);
}

}  // namespace qrfleet::scan
