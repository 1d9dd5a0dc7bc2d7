#pragma once
#include <cstddef>
#include <string>

namespace qrfleet {

// Lower-case hex of a digest (ids, checksums, script SHAs).
inline std::string toHex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace qrfleet
