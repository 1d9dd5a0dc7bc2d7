#pragma once
#include <string>

#include "qr_matrix.h"
#include "qrfleet/events/bulk_qr_events.h"

namespace qrfleet::bulkqr {

// A 1-bit palette PNG of options.sizePx square (foreground, background, the
// quiet zone of options.margin modules), or of one pixel per module if the
// size is smaller than that. Modules are whole pixels; the pixels the scale
// leaves over widen the quiet zone. The same input gives the same bytes.
std::string renderPng(const QrMatrix& qr, const events::QrOptions& options);

// An SVG of the same drawing: one path, a subpath per horizontal run of dark
// modules (not a rect per module), so files stay small and render crisply.
std::string renderSvg(const QrMatrix& qr, const events::QrOptions& options);

}  // namespace qrfleet::bulkqr
