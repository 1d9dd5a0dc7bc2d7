#include <png.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "qr_image.h"
#include "row_deflate.h"

namespace qrfleet::bulkqr {

namespace {
png_color colourOf(const std::string& hex) {
  auto byte = [&](std::size_t at) { return static_cast<png_byte>(std::stoi(hex.substr(at, 2), nullptr, 16)); };
  return {byte(1), byte(3), byte(5)};
}

void appendBytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}
void flushNothing(png_structp) {}
[[noreturn]] void fail(png_structp, png_const_charp message) { throw std::runtime_error(std::string("libpng: ") + message); }
void ignoreWarning(png_structp, png_const_charp) {}
}  // namespace

std::string renderPng(const QrMatrix& qr, const events::QrOptions& o) {
  // Whole pixels per module, so every module is the same size (decoders
  // need that); what the scale leaves of the requested size widens the quiet
  // zone evenly. An image never gets fewer pixels than modules.
  const int total = qr.width + 2 * o.margin;
  const int size = std::max(o.sizePx, total);
  const int scale = size / total;
  const int offset = (size - scale * total) / 2 + o.margin * scale;
  // Which module each pixel column (and row) shows; -1 for the quiet zone.
  std::vector<int> moduleAt(static_cast<std::size_t>(size));
  for (int p = 0; p < size; ++p) {
    int m = p >= offset ? (p - offset) / scale : -1;
    moduleAt[static_cast<std::size_t>(p)] = (m >= 0 && m < qr.width) ? m : -1;
  }
  std::string out;
  out.reserve(2048);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, fail, ignoreWarning);
  if (!png) throw std::runtime_error("libpng: out of memory");
  png_infop info = png_create_info_struct(png);
  struct Cleanup {
    png_structp* png;
    png_infop* info;
    ~Cleanup() { png_destroy_write_struct(png, info); }
  } cleanup{&png, &info};
  if (!info) throw std::runtime_error("libpng: out of memory");
  png_set_write_fn(png, &out, appendBytes, flushNothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(size), static_cast<png_uint_32>(size), 1, PNG_COLOR_TYPE_PALETTE,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_color palette[2] = {colourOf(o.background), colourOf(o.foreground)};
  png_set_PLTE(png, info, palette, 2);
  png_write_info(png, info);
  // The rows (each a filter byte, none, then the pixels) built here and
  // compressed in one go by zlibOfRows; libpng writes the chunks around them.
  // Row by row through libpng's own deflate cost ~67-89 µs a code, as much as
  // encoding it.
  const std::size_t rowBytes = (static_cast<std::size_t>(size) + 7) / 8, stride = rowBytes + 1;
  std::string raw(stride * static_cast<std::size_t>(size), '\0');
  int previousModule = -2;
  for (int y = 0; y < size; ++y) {
    auto* row = reinterpret_cast<png_byte*>(raw.data()) + static_cast<std::size_t>(y) * stride;
    int my = moduleAt[static_cast<std::size_t>(y)];
    if (my == previousModule) {  // rows showing the same module row are the same bytes
      std::copy(row - stride, row, row);
      continue;
    }
    previousModule = my;
    if (my < 0) continue;  // quiet zone: all background
    for (int mx = 0; mx < qr.width; ++mx)
      if (qr.at(mx, my))
        for (int x = offset + mx * scale, end = x + scale; x < end; ++x)
          row[1 + static_cast<std::size_t>(x / 8)] |= static_cast<png_byte>(0x80 >> (x % 8));
  }
  auto idat = zlibOfRows(raw, stride);
  png_write_chunk(png, reinterpret_cast<png_const_bytep>("IDAT"), reinterpret_cast<png_const_bytep>(idat.data()),
                  idat.size());
  // png_write_end insists on IDATs written by png_write_row; the end chunk is empty.
  png_write_chunk(png, reinterpret_cast<png_const_bytep>("IEND"), nullptr, 0);
  return out;
}

}  // namespace qrfleet::bulkqr
