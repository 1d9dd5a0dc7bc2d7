#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace qrfleet::bulkqr {

// A zlib stream (RFC 1950) of `raw`, the filtered rows of an image `stride`
// bytes apart: one fixed-Huffman deflate block (RFC 1951) whose only matches
// repeat the byte before (distance 1) or the row above (distance `stride`).
// A QR image's rows repeat `scale` times and its pixels come in runs of whole
// modules, so these two matches find nearly all there is, without zlib's hash
// chains or libpng's call per row: ~27 µs for a 300 px code instead of ~67-89 µs
// (see README, bulk-qr benchmark). Same input, same bytes.
std::string zlibOfRows(std::string_view raw, std::size_t stride);

}  // namespace qrfleet::bulkqr
