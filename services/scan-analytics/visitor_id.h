#pragma once
#include <string>
#include <string_view>

namespace qrfleet::scan {

// A visitor is a distinct (ip, userAgent) pair. Only this keyed hash is stored
// (HMAC-SHA256 with a per-deployment salt, 128 bits, hex), never the raw IP:
// aggregates stay exact without holding personal data, and without the salt
// the hash cannot be reversed by enumerating the IPv4 space.
class VisitorId {
 public:
  explicit VisitorId(std::string salt);
  std::string of(std::string_view ip, std::string_view userAgent) const;

 private:
  std::string salt_;
};

}  // namespace qrfleet::scan
