#include "visitor_id.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "qrfleet/hex.h"

namespace qrfleet::scan {

VisitorId::VisitorId(std::string salt) : salt_(std::move(salt)) {}

std::string VisitorId::of(std::string_view ip, std::string_view userAgent) const {
  std::string input;
  input.reserve(ip.size() + userAgent.size() + 1);
  input.append(ip).push_back('\n');
  input.append(userAgent);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), salt_.data(), static_cast<int>(salt_.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &len);
  return toHex(mac, 16);
}

}  // namespace qrfleet::scan
