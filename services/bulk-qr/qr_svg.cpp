#include "qr_image.h"

namespace qrfleet::bulkqr {

std::string renderSvg(const QrMatrix& qr, const events::QrOptions& o) {
  const int total = qr.width + 2 * o.margin;
  const std::string n = std::to_string(total);
  std::string out;
  out.reserve(static_cast<std::size_t>(qr.width) * static_cast<std::size_t>(qr.width) + 400);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         std::to_string(o.sizePx) + "\" height=\"" + std::to_string(o.sizePx) + "\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n + "\" fill=\"" + o.background +
         "\"/><path fill=\"" + o.foreground + "\" d=\"";
  for (int y = 0; y < qr.width; ++y)
    for (int x = 0; x < qr.width;) {
      if (!qr.at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < qr.width && qr.at(x + run, y)) ++run;
      out += "M" + std::to_string(x + o.margin) + "," + std::to_string(y + o.margin) + "h" + std::to_string(run) +
             "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  out += "\"/></svg>\n";
  return out;
}

}  // namespace qrfleet::bulkqr
