#include "qrfleet/event_id.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace qrfleet {

namespace {
// Namespace for qrfleet's derived events (a fixed v4 UUID chosen once).
constexpr std::string_view kDerivedEventNamespace = "6f1c2a9e-5b0d-4c43-9a6e-2f7d3b8c1e54";

std::string format(const std::array<std::uint8_t, 16>& b) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (nibble(s[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::string randomUuid() {
  std::array<std::uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return format(b);
}

std::string uuidV5(std::string_view ns, std::string_view name) {
  if (!isUuid(ns)) throw std::invalid_argument("uuidV5: namespace is not a UUID");
  std::string input;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == '-') continue;
    input += static_cast<char>(nibble(ns[i]) * 16 + nibble(ns[i + 1]));
    ++i;
  }
  input.append(name);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 16; ++i) b[i] = digest[i];
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  return format(b);
}

std::string deterministicEventId(std::string_view causingEventId, int index) {
  return uuidV5(kDerivedEventNamespace, std::string(causingEventId) + "/" + std::to_string(index));
}

}  // namespace qrfleet
