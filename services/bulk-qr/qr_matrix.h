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

// Encodes with libqrencode, choosing the smallest version and mixing
// numeric/alphanumeric/byte modes as it pays. `level` is L, M, Q or H.
QrMatrix encodeQr(std::string_view data, char level);

// Bytes of byte-mode data a version-40 symbol holds at `level`: any data up
// to this length fits, so the splitter refuses longer rows up front.
std::size_t qrByteCapacity(char level);

}  // namespace qrfleet::bulkqr
