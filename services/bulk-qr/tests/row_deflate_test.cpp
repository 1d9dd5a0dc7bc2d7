// zlibOfRows is checked against zlib's own inflate, and a rendered PNG
// against libpng's reader, pixel by pixel.
#include <doctest/doctest.h>
#include <png.h>
#include <zlib.h>

#include <random>

#include "qr_image.h"
#include "row_deflate.h"

using namespace qrfleet;
using namespace qrfleet::bulkqr;

namespace {
std::string inflated(const std::string& stream, std::size_t size) {
  std::string out(size + 1, '\0');  // one spare byte: a longer stream would show
  uLongf length = out.size();
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(out.data()), &length, reinterpret_cast<const Bytef*>(stream.data()),
                     stream.size()) == Z_OK);
  out.resize(length);
  return out;
}

// Rows that repeat and runs of equal bytes, as an image has, and noise, as it does not.
std::string rowsLikeAnImage(std::mt19937& random, std::size_t stride, std::size_t rows) {
  std::string raw;
  std::string row(stride, '\0');
  for (std::size_t r = 0; r < rows; ++r) {
    if (r == 0 || random() % 3 == 0) {
      for (std::size_t i = 0; i < stride;) {
        auto run = std::min<std::size_t>(stride - i, 1 + random() % 12);
        char byte = random() % 4 == 0 ? static_cast<char>(random()) : (random() % 2 ? '\xff' : '\0');
        row.replace(i, run, run, byte);
        i += run;
      }
    }
    raw += row;
  }
  return raw;
}
}  // namespace

TEST_CASE("zlibOfRows inflates back to its input, whatever the stride and the content") {
  std::mt19937 random(20261202);
  CHECK(inflated(zlibOfRows("", 39), 0).empty());
  for (std::size_t stride : {1, 2, 3, 4, 39, 257, 258, 259, 600, 32768, 40000}) {
    CAPTURE(stride);
    for (std::size_t rows : {1, 2, 9, 300}) {
      if (stride * rows > 4'000'000) continue;
      CAPTURE(rows);
      auto raw = rowsLikeAnImage(random, stride, rows);
      auto stream = zlibOfRows(raw, stride);
      CHECK(inflated(stream, raw.size()) == raw);
      CHECK(stream == zlibOfRows(raw, stride));  // the same bytes every time
    }
  }
  std::string noise(70'000, '\0');
  for (auto& c : noise) c = static_cast<char>(random());
  CHECK(inflated(zlibOfRows(noise, 39), noise.size()) == noise);
}

TEST_CASE("a rendered PNG reads back through libpng as the code's modules, in its two colours") {
  for (int sizePx : {21, 300, 517, 1000}) {
    CAPTURE(sizePx);
    events::QrOptions o;
    o.sizePx = sizePx;
    o.margin = 4;
    o.foreground = "#1a237e";
    o.background = "#fff8e1";
    auto qr = encodeQr("https://qr.example/c/8f3a2b1c-table-12?utm=bulk", 'M');
    auto png = renderPng(qr, o);
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    REQUIRE(png_image_begin_read_from_memory(&image, png.data(), png.size()));
    image.format = PNG_FORMAT_RGB;
    std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
    REQUIRE_MESSAGE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr), image.message);
    const int total = qr.width + 2 * o.margin;
    const int size = static_cast<int>(image.width);
    REQUIRE(size == std::max(sizePx, total));
    const int scale = size / total;
    const int offset = (size - scale * total) / 2 + o.margin * scale;
    int wrong = 0;
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        int mx = x >= offset ? (x - offset) / scale : -1, my = y >= offset ? (y - offset) / scale : -1;
        bool dark = mx >= 0 && my >= 0 && mx < qr.width && my < qr.width && qr.at(mx, my);
        const png_byte* rgb = &pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(size) +
                                       static_cast<std::size_t>(x)) * 3];
        const png_byte want[3] = {static_cast<png_byte>(dark ? 0x1a : 0xff), static_cast<png_byte>(dark ? 0x23 : 0xf8),
                                  static_cast<png_byte>(dark ? 0x7e : 0xe1)};
        if (rgb[0] != want[0] || rgb[1] != want[1] || rgb[2] != want[2]) ++wrong;
      }
    CHECK(wrong == 0);
  }
}
