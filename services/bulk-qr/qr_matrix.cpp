#include "qr_matrix.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace qrfleet::bulkqr {

namespace {
QRecLevel levelOf(char level) {
  switch (level) {
    case 'L': return QR_ECLEVEL_L;
    case 'Q': return QR_ECLEVEL_Q;
    case 'H': return QR_ECLEVEL_H;
    default: return QR_ECLEVEL_M;
  }
}
}  // namespace

std::size_t qrByteCapacity(char level) {
  switch (level) {
    case 'L': return 2953;
    case 'Q': return 1663;
    case 'H': return 1273;
    default: return 2331;
  }
}

QrMatrix encodeQr(std::string_view data, char level) {
  if (data.empty()) throw QrEncodeError("no data to encode");
  if (data.find('\0') != std::string_view::npos) throw QrEncodeError("data holds a NUL byte");
  std::string text(data);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(text.c_str(), 0, levelOf(level), QR_MODE_8, 1),
                                                       &QRcode_free);
  if (!code) {
    if (errno == ERANGE)
      throw QrEncodeError("data of " + std::to_string(data.size()) + " bytes does not fit a QR code at level " +
                          std::string(1, level));
    throw QrEncodeError(std::string("libqrencode: ") + std::strerror(errno));
  }
  QrMatrix m;
  m.width = code->width;
  auto n = static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width);
  m.dark.resize(n);
  for (std::size_t i = 0; i < n; ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

}  // namespace qrfleet::bulkqr
