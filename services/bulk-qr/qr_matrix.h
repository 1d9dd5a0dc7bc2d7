#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::bulkqr {

// A QR symbol's modules, row by row (true = dark), without the quiet zone.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
};

// The data cannot be a QR code at this level (too long, a NUL byte).
class QrEncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Encodes with libqrencode at the smallest version. Plain ASCII is
// whichever is the smaller symbol of libqrencode's mixed
// numeric/alphanumeric/byte segmentation and one 8-bit segment (a tie keeps
// the mixed split); any other text is UTF-8 and says so with the
// UTF-8 ECI designator before one 8-bit segment, so that readers do not guess
// another character set. `level` is L, M, Q or H.
QrMatrix encodeQr(std::string_view data, char level);

// Whether `data` is other than plain ASCII, so that its code carries the
// UTF-8 ECI (and holds one byte less).
bool needsUtf8Eci(std::string_view data);

// Bytes of `data`'s kind that a version-40 symbol holds at `level`: L 2953,
// M 2331, Q 1663, H 1273 for plain ASCII, one less for other text (the ECI
// header). Any data up to this length fits, so the splitter refuses longer
// rows up front.
std::size_t qrByteCapacity(std::string_view data, char level);

// The smallest version whose symbol holds `bytes` as one 8-bit segment at
// `level`, or 0 if none does.
int qrEightBitVersion(std::size_t bytes, char level);

}  // namespace qrfleet::bulkqr
