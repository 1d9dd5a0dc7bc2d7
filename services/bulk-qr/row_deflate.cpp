#include "row_deflate.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace qrfleet::bulkqr {

namespace {
// RFC 1951 §3.2.5: the base and extra bits of each length and distance code.
constexpr std::array<int, 29> lengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                            31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<int, 29> lengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                             2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<int, 30> distanceBase = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                              33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                              1025, 1537, 2049, 3073, 4097, 6145,  8193,  12289, 16385, 24577};
constexpr std::array<int, 30> distanceExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                               6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
constexpr std::size_t maxMatch = 258;
constexpr std::size_t maxDistance = 32768;

// Deflate packs bits from the least significant end; Huffman codes go in
// most significant bit first, so they are reversed on the way in.
class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  void bits(std::uint32_t value, int count) {
    pending_ |= static_cast<std::uint64_t>(value) << used_;
    used_ += count;
    while (used_ >= 8) {
      out_.push_back(static_cast<char>(pending_ & 0xFF));
      pending_ >>= 8;
      used_ -= 8;
    }
  }
  void code(std::uint32_t huffman, int length) {
    std::uint32_t reversed = 0;
    for (int i = 0; i < length; ++i, huffman >>= 1) reversed = (reversed << 1) | (huffman & 1);
    bits(reversed, length);
  }
  void finish() {
    if (used_ > 0) out_.push_back(static_cast<char>(pending_ & 0xFF));
    pending_ = 0;
    used_ = 0;
  }

 private:
  std::string& out_;
  std::uint64_t pending_ = 0;
  int used_ = 0;
};

// The fixed literal/length code of RFC 1951 §3.2.6.
void symbol(BitWriter& w, int s) {
  if (s < 144) w.code(static_cast<std::uint32_t>(0x30 + s), 8);
  else if (s < 256) w.code(static_cast<std::uint32_t>(0x190 + s - 144), 9);
  else if (s < 280) w.code(static_cast<std::uint32_t>(s - 256), 7);
  else w.code(static_cast<std::uint32_t>(0xC0 + s - 280), 8);
}

void match(BitWriter& w, std::size_t length, std::size_t distance) {
  const int len = static_cast<int>(length), dist = static_cast<int>(distance);
  std::size_t l = lengthBase.size() - 1;
  while (lengthBase[l] > len) --l;
  symbol(w, 257 + static_cast<int>(l));
  if (lengthExtra[l] > 0) w.bits(static_cast<std::uint32_t>(len - lengthBase[l]), lengthExtra[l]);
  std::size_t d = distanceBase.size() - 1;
  while (distanceBase[d] > dist) --d;
  w.code(static_cast<std::uint32_t>(d), 5);
  if (distanceExtra[d] > 0) w.bits(static_cast<std::uint32_t>(dist - distanceBase[d]), distanceExtra[d]);
}

// How many bytes from `at` equal the ones `distance` before them (at most maxMatch).
// Eight bytes a step: a repeated row is compared whole, and rows are most of an image.
std::size_t repeated(const unsigned char* p, std::size_t at, std::size_t distance, std::size_t end) {
  const std::size_t limit = std::min(maxMatch, end - at);
  std::size_t n = 0;
  for (; n + 8 <= limit; n += 8) {
    std::uint64_t here, before;
    std::memcpy(&here, p + at + n, 8);
    std::memcpy(&before, p + at + n - distance, 8);
    if (here != before) break;
  }
  while (n < limit && p[at + n] == p[at + n - distance]) ++n;
  return n;
}
}  // namespace

std::string zlibOfRows(std::string_view raw, std::size_t stride) {
  std::string out;
  out.reserve(raw.size() / 8 + 64);
  out += "\x78\x01";  // deflate with a 32 kB window, no dictionary; (0x78 * 256 + 0x01) % 31 == 0
  BitWriter w(out);
  w.bits(1, 1);  // the final block
  w.bits(1, 2);  // fixed Huffman codes
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  const std::size_t end = raw.size();
  const bool rowMatches = stride >= 3 && stride <= maxDistance;
  for (std::size_t at = 0; at < end;) {
    std::size_t best = 0, distance = 0;
    if (rowMatches && at >= stride) {
      best = repeated(p, at, stride, end);
      distance = stride;
    }
    if (at >= 1 && best < maxMatch) {
      auto run = repeated(p, at, 1, end);
      if (run > best) {
        best = run;
        distance = 1;
      }
    }
    if (best >= 3) {
      match(w, best, distance);
      at += best;
    } else {
      symbol(w, p[at]);
      ++at;
    }
  }
  symbol(w, 256);  // end of block
  w.finish();
  uLong adler = adler32(0L, Z_NULL, 0);
  for (std::size_t done = 0; done < end;) {  // adler32 takes a uInt length
    auto n = static_cast<uInt>(std::min<std::size_t>(end - done, 1u << 30));
    adler = adler32(adler, p + done, n);
    done += n;
  }
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((adler >> shift) & 0xFF));
  return out;
}

}  // namespace qrfleet::bulkqr
