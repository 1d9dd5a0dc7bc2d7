#include "qrfleet/utf8.h"

#include <cstdint>
#include <cstring>

namespace qrfleet {

namespace {
// Bytes of the well-formed character starting at s[i], 0 if there is none.
std::size_t characterAt(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  int extra = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) return 0;
  std::uint32_t cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto next = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((next & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (next & 0x3f);
  }
  static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
  if (cp < smallest[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return static_cast<std::size_t>(extra) + 1;
}
}  // namespace

bool validUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    // Runs of ASCII, most of any JSON document, eight bytes at a time.
    std::uint64_t word = 0;
    while (i + sizeof word <= s.size()) {
      std::memcpy(&word, s.data() + i, sizeof word);
      if (word & 0x8080808080808080ULL) break;
      i += sizeof word;
    }
    if (i >= s.size()) break;
    auto n = characterAt(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string utf8Prefix(std::string_view s, std::size_t maxBytes) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto n = s[i] == '\0' ? 0 : characterAt(s, i);
    if (out.size() + (n ? n : 1) > maxBytes) break;
    if (n) out.append(s.substr(i, n));
    else out += '?';
    i += n ? n : 1;
  }
  return out;
}

}  // namespace qrfleet
