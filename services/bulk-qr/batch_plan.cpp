#include "batch_plan.h"

#include <algorithm>
#include <set>

#include "qr_matrix.h"
#include "qrfleet/utf8.h"

namespace qrfleet::bulkqr {

namespace {
constexpr std::size_t kChunkBytes = 96 * 1024;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Safe on every file system an archive is unpacked on: no separators,
// controls or reserved characters, no leading dot, at most 150 bytes (not
// splitting a UTF-8 sequence).
std::string safeName(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    bool bad = c < 0x20 || c == 0x7f || std::string_view("/\\:*?\"<>|").find(static_cast<char>(c)) != std::string_view::npos;
    out += bad ? '_' : static_cast<char>(c);
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  return utf8Prefix(out, 150);
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return "\"" + replaced(s, "\"", "\"\"") + "\"";
}
}  // namespace

std::string entryName(const events::QrOptions& options, std::int64_t index, const CsvItem& row) {
  std::string name;
  if (row.filename) {
    name = *row.filename;
    for (const char* ext : {".png", ".svg", ".PNG", ".SVG"})
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ext) == 0) name.resize(name.size() - 4);
  } else if (options.naming) {
    name = replaced(*options.naming, "{index}", std::to_string(index));
    name = replaced(name, "{label}", row.label.value_or(""));
    name = replaced(name, "{data}", row.data);
  }
  name = safeName(name);
  return name.empty() ? std::to_string(index) : name;
}

BatchPlan planBatch(const std::vector<CsvItem>& rows, std::vector<CsvRowError> invalid,
                    const events::QrOptions& options, std::size_t chunkSize) {
  BatchPlan plan;
  plan.invalid = std::move(invalid);
  std::set<std::string> names;
  for (const auto& row : rows) {
    const auto capacity = qrByteCapacity(row.data, options.errorCorrection);
    if (row.data.size() > capacity) {
      plan.invalid.push_back({row.row, "data is " + std::to_string(row.data.size()) + " bytes; error correction " +
                                           std::string(1, options.errorCorrection) + " holds at most " +
                                           std::to_string(capacity) +
                                           (needsUtf8Eci(row.data) ? " of non-ASCII text" : "")});
      continue;
    }
    auto hasNul = [](const std::optional<std::string>& f) { return f && f->find('\0') != std::string::npos; };
    if (row.data.find('\0') != std::string::npos || hasNul(row.label) || hasNul(row.filename)) {
      plan.invalid.push_back({row.row, "holds a NUL byte"});
      continue;
    }
    auto index = static_cast<std::int64_t>(plan.items.size());
    auto base = entryName(options, index, row);
    auto name = base;
    for (int n = 1; !names.insert(name).second; ++n)
      name = base + "-" + std::to_string(index) + (n > 1 ? "-" + std::to_string(n) : "");
    plan.items.push_back({index, row.data, row.label, name});
  }
  std::sort(plan.invalid.begin(), plan.invalid.end(), [](const auto& a, const auto& b) { return a.row < b.row; });
  // A chunk holds at most chunkSize items and about kChunkBytes of them, so
  // its event stays well inside MAX_EVENT_BYTES whatever the data's length.
  chunkSize = std::max<std::size_t>(chunkSize, 1);
  std::size_t bytes = 0;
  for (const auto& item : plan.items) {
    auto size = item.data.size() + item.entry.size() + (item.label ? item.label->size() : 0) + 64;
    if (plan.chunks.empty() || plan.chunks.back().size() >= chunkSize || bytes + size > kChunkBytes) {
      plan.chunks.emplace_back();
      bytes = 0;
    }
    plan.chunks.back().push_back(item);
    bytes += size;
  }
  return plan;
}

std::string validationReport(const std::vector<CsvRowError>& invalid) {
  std::string out = "row,reason\r\n";
  for (const auto& e : invalid) out += std::to_string(e.row) + "," + csvField(e.reason) + "\r\n";
  return out;
}

std::vector<events::BulkChunkRequested> chunkRequests(const events::BulkBatchRequested& batch, const BatchPlan& plan,
                                                      const std::optional<std::string>& reportKey,
                                                      std::int64_t requestedAtMs) {
  std::vector<events::BulkChunkRequested> out;
  for (std::size_t i = 0; i < plan.chunks.size(); ++i) {
    events::BulkChunkRequested c;
    c.chunkId = batch.batchId + "/" + std::to_string(i);
    c.batchId = batch.batchId;
    c.ownerId = batch.ownerId;
    c.chunkIndex = static_cast<int>(i);
    c.chunkCount = static_cast<int>(plan.chunks.size());
    c.totalItems = static_cast<std::int64_t>(plan.items.size());
    c.invalidItems = static_cast<std::int64_t>(plan.invalid.size());
    c.reportKey = reportKey;
    c.requestedAtMs = requestedAtMs;
    c.options = batch.options;
    c.items = plan.chunks[i];
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace qrfleet::bulkqr
