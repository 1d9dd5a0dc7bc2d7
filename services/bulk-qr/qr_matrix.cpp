#include "qr_matrix.h"

#include <qrencode.h>

#include <algorithm>
#include <array>
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
// mostly-ASCII text with a few accented letters). libqrencode 4.1 estimates
// the ECI header 16 bits too long when it picks the version, so text within
// two bytes of a version's capacity gets the next version; version 40 is
// checked on the real bits, so the capacity holds.
Code utf8Code(std::string_view data, QRecLevel level) {
  std::unique_ptr<QRinput, decltype(&QRinput_free)> input(QRinput_new2(0, level), &QRinput_free);
  if (!input || QRinput_appendECIheader(input.get(), kUtf8Eci) != 0 ||
      QRinput_append(input.get(), QR_MODE_8, static_cast<int>(data.size()), bytesOf(data)) != 0)
    return Code(nullptr, &QRcode_free);
  return Code(QRcode_encodeInput(input.get()), &QRcode_free);
}

// Data codewords of each version (1-40) at L, M, Q, H: ISO/IEC 18004 Table 7.
constexpr std::array<std::array<int, 4>, 40> kDataCodewords{{
    {19, 16, 13, 9},         {34, 28, 22, 16},        {55, 44, 34, 26},        {80, 64, 48, 36},
    {108, 86, 62, 46},       {136, 108, 76, 60},      {156, 124, 88, 66},      {194, 154, 110, 86},
    {232, 182, 132, 100},    {274, 216, 154, 122},    {324, 254, 180, 140},    {370, 290, 206, 158},
    {428, 334, 244, 180},    {461, 365, 261, 197},    {523, 415, 295, 223},    {589, 453, 325, 253},
    {647, 507, 367, 283},    {721, 563, 397, 313},    {795, 627, 445, 341},    {861, 669, 485, 385},
    {932, 714, 512, 406},    {1006, 782, 568, 442},   {1094, 860, 614, 464},   {1174, 914, 664, 514},
    {1276, 1000, 718, 538},  {1370, 1062, 754, 596},  {1468, 1128, 808, 628},  {1531, 1193, 871, 661},
    {1631, 1267, 911, 701},  {1735, 1373, 985, 745},  {1843, 1455, 1033, 793}, {1955, 1541, 1115, 845},
    {2071, 1631, 1171, 901}, {2191, 1725, 1231, 961}, {2306, 1812, 1286, 986}, {2434, 1914, 1354, 1054},
    {2566, 1992, 1426, 1096}, {2702, 2102, 1502, 1142}, {2812, 2216, 1582, 1222}, {2956, 2334, 1666, 1276}}};

int levelIndex(char level) {
  switch (level) {
    case 'L': return 0;
    case 'Q': return 2;
    case 'H': return 3;
    default: return 1;
  }
}

// libqrencode's mixed segmentation (numeric, alphanumeric, 8-bit runs) is the
// smaller symbol nearly always; near version 40 its mode switches can cost
// more than they save. The 8-bit segment's version is arithmetic, so the code
// is encoded a second time only where that segment is really smaller or the
// mixed split does not fit at all (encoding both for every code cost up to
// 18% of a batch's throughput).
Code asciiCode(std::string_view data, QRecLevel level, char levelName) {
  const int eightBit = qrEightBitVersion(data.size(), levelName);
  std::string text(data);
  Code mixed(QRcode_encodeString(text.c_str(), 0, level, QR_MODE_8, 1), &QRcode_free);
  if (mixed && (eightBit == 0 || mixed->version <= eightBit)) return mixed;
  if (!mixed && (errno != ERANGE || eightBit == 0)) return mixed;  // errno says why
  return Code(QRcode_encodeData(static_cast<int>(data.size()), bytesOf(data), eightBit, level), &QRcode_free);
}
}  // namespace

bool needsUtf8Eci(std::string_view data) {
  return std::any_of(data.begin(), data.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

int qrEightBitVersion(std::size_t bytes, char level) {
  for (int v = 1; v <= 40; ++v) {
    const std::size_t header = 4 + (v < 10 ? 8 : 16);  // mode bits, then the count: 8 bits, 16 from version 10
    const auto bits = static_cast<std::size_t>(kDataCodewords[static_cast<std::size_t>(v - 1)]
                                                             [static_cast<std::size_t>(levelIndex(level))]) * 8;
    if (bits >= header + 8 * bytes) return v;
  }
  return 0;
}

std::size_t qrByteCapacity(std::string_view data, char level) {
  const auto bits = static_cast<std::size_t>(kDataCodewords[39][static_cast<std::size_t>(levelIndex(level))]) * 8;
  return (bits - 4 - 16 - (needsUtf8Eci(data) ? 12 : 0)) / 8;
}

QrMatrix encodeQr(std::string_view data, char level) {
  if (data.empty()) throw QrEncodeError("no data to encode");
  if (data.find('\0') != std::string_view::npos) throw QrEncodeError("data holds a NUL byte");
  errno = 0;
  Code code = needsUtf8Eci(data) ? utf8Code(data, levelOf(level)) : asciiCode(data, levelOf(level), level);
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
