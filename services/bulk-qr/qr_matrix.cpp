#include "qr_matrix.h"

#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace qrfleet::bulkqr {

namespace {
// ISO/IEC 18004 §7.4.2: ECI 000026 designates UTF-8.
constexpr unsigned int kUtf8Eci = 26;

using Code = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

QRecLevel levelOf(char level) {
  switch (level) {
    case 'L': return QR_ECLEVEL_L;
    case 'Q': return QR_ECLEVEL_Q;
    case 'H': return QR_ECLEVEL_H;
    default: return QR_ECLEVEL_M;
  }
}

const unsigned char* bytesOf(std::string_view data) { return reinterpret_cast<const unsigned char*>(data.data()); }

// The ECI header then one 8-bit segment: readers take the bytes as UTF-8
// instead of guessing (zbar and phone readers guess Shift-JIS for short,
// mostly-ASCII text with a few accented letters).
Code utf8Code(std::string_view data, QRecLevel level) {
  std::unique_ptr<QRinput, decltype(&QRinput_free)> input(QRinput_new2(0, level), &QRinput_free);
  if (!input || QRinput_appendECIheader(input.get(), kUtf8Eci) != 0 ||
      QRinput_append(input.get(), QR_MODE_8, static_cast<int>(data.size()), bytesOf(data)) != 0)
    return Code(nullptr, &QRcode_free);
  return Code(QRcode_encodeInput(input.get()), &QRcode_free);
}

// libqrencode's mixed segmentation (numeric, alphanumeric, 8-bit runs) is
// the shorter nearly always; near version 40 its mode switches can cost more
// than they save, so a row that fits as one 8-bit segment is encoded as that
// instead of refused. Trying the 8-bit segment only then keeps one encode a
// code (trying both for every code cost up to 18% of a batch's throughput).
Code asciiCode(std::string_view data, QRecLevel level) {
  std::string text(data);
  Code mixed(QRcode_encodeString(text.c_str(), 0, level, QR_MODE_8, 1), &QRcode_free);
  if (mixed || errno != ERANGE) return mixed;
  return Code(QRcode_encodeData(static_cast<int>(data.size()), bytesOf(data), 0, level), &QRcode_free);
}
}  // namespace

bool needsUtf8Eci(std::string_view data) {
  return std::any_of(data.begin(), data.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::size_t qrByteCapacity(std::string_view data, char level) {
  // A version-40 symbol's data bits less the 8-bit segment's header (4 mode +
  // 16 count bits); the UTF-8 ECI header takes 12 more, one byte of data.
  std::size_t ascii = 0;
  switch (level) {
    case 'L': ascii = 2953; break;
    case 'Q': ascii = 1663; break;
    case 'H': ascii = 1273; break;
    default: ascii = 2331; break;
  }
  return needsUtf8Eci(data) ? ascii - 1 : ascii;
}

QrMatrix encodeQr(std::string_view data, char level) {
  if (data.empty()) throw QrEncodeError("no data to encode");
  if (data.find('\0') != std::string_view::npos) throw QrEncodeError("data holds a NUL byte");
  errno = 0;
  Code code = needsUtf8Eci(data) ? utf8Code(data, levelOf(level)) : asciiCode(data, levelOf(level));
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
