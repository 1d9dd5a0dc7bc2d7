#include "qrfleet/events/bulk_qr_events.h"

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

namespace {
constexpr std::size_t kBatchIdMax = 128;
constexpr std::size_t kDataMax = 4096;  // above any QR code's capacity; the worker checks the level's
constexpr std::size_t kMaxInline = 10000;

bool isColour(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (std::size_t i = 1; i < 7; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

bool isSha256(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

template <class T>
void putOptional(nlohmann::json& j, const char* field, const std::optional<T>& v) {
  if (v) j[field] = *v;
}
}  // namespace

QrOptions QrOptions::fromJson(const nlohmann::json& options, std::string_view eventType) {
  PayloadReader r(options, eventType);
  r.onlyFields({"formats", "sizePx", "margin", "errorCorrection", "foreground", "background", "naming"});
  QrOptions o;
  auto formats = r.optionalString("formats", 3, 4).value_or("png");
  if (formats != "png" && formats != "svg" && formats != "both")
    r.violation("field 'options.formats' must be png, svg or both; got '" + formats + "'");
  o.png = formats != "svg";
  o.svg = formats != "png";
  o.sizePx = static_cast<int>(r.optionalInteger("sizePx", 21, 4096).value_or(300));
  o.margin = static_cast<int>(r.optionalInteger("margin", 0, 32).value_or(4));
  auto level = r.optionalString("errorCorrection", 1, 1).value_or("M");
  if (level != "L" && level != "M" && level != "Q" && level != "H")
    r.violation("field 'options.errorCorrection' must be L, M, Q or H; got '" + level + "'");
  o.errorCorrection = level[0];
  o.foreground = r.optionalString("foreground", 7, 7).value_or("#000000");
  o.background = r.optionalString("background", 7, 7).value_or("#ffffff");
  if (!isColour(o.foreground) || !isColour(o.background))
    r.violation("fields 'options.foreground' and 'options.background' must be #rrggbb colours");
  o.naming = r.optionalString("naming", 1, 200);
  return o;
}

nlohmann::json QrOptions::toJson() const {
  nlohmann::json j = {{"formats", formats()},
                      {"sizePx", sizePx},
                      {"margin", margin},
                      {"errorCorrection", std::string(1, errorCorrection)},
                      {"foreground", foreground},
                      {"background", background}};
  putOptional(j, "naming", naming);
  return j;
}

BulkBatchRequested BulkBatchRequested::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BulkBatchRequested>(e);
  r.onlyFields({"batchId", "ownerId", "items", "csv", "options"});
  BulkBatchRequested b;
  b.batchId = r.string("batchId", 1, kBatchIdMax);
  b.ownerId = r.string("ownerId", 1, kBatchIdMax);
  bool hasItems = e.payload.contains("items");
  bool hasCsv = e.payload.contains("csv");
  if (hasItems == hasCsv) r.violation("exactly one of the fields 'items' and 'csv' must be given");
  if (hasItems) {
    for (const auto& item : r.array("items", 1, kMaxInline)) {
      if (!item.is_object()) r.violation("field 'items' must hold objects");
      PayloadReader i(item, type);
      i.onlyFields({"data", "label", "filename"});
      b.items.push_back({i.string("data", 1, kDataMax), i.optionalString("label", 1, 256),
                         i.optionalString("filename", 1, 200)});
    }
  } else {
    auto c = r.object("csv");
    c.onlyFields({"objectKey", "size", "sha256"});
    CsvObject csv{c.string("objectKey", 1, 1024), c.integer("size", 1, std::int64_t(1) << 40), c.string("sha256", 64, 64)};
    if (!isSha256(csv.sha256)) r.violation("field 'csv.sha256' must be 64 lowercase hex digits");
    b.csv = std::move(csv);
  }
  if (auto it = e.payload.find("options"); it != e.payload.end()) {
    if (!it->is_object()) r.violation("field 'options' must be an object");
    b.options = QrOptions::fromJson(*it, type);
  }
  return b;
}

nlohmann::json BulkBatchRequested::toPayload() const {
  nlohmann::json p = {{"batchId", batchId}, {"ownerId", ownerId}, {"options", options.toJson()}};
  if (csv) {
    p["csv"] = {{"objectKey", csv->objectKey}, {"size", csv->size}, {"sha256", csv->sha256}};
  } else {
    auto& items_ = p["items"] = nlohmann::json::array();
    for (const auto& i : items) {
      nlohmann::json j = {{"data", i.data}};
      putOptional(j, "label", i.label);
      putOptional(j, "filename", i.filename);
      items_.push_back(std::move(j));
    }
  }
  return p;
}

BulkBatchCancelled BulkBatchCancelled::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BulkBatchCancelled>(e);
  r.onlyFields({"batchId", "reason"});
  return {r.string("batchId", 1, kBatchIdMax), r.optionalString("reason", 1, 500)};
}

nlohmann::json BulkBatchCancelled::toPayload() const {
  nlohmann::json p = {{"batchId", batchId}};
  putOptional(p, "reason", reason);
  return p;
}

BulkChunkRequested BulkChunkRequested::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BulkChunkRequested>(e);
  r.onlyFields({"chunkId", "batchId", "ownerId", "chunkIndex", "chunkCount", "totalItems", "invalidItems", "reportKey",
                "requestedAt", "options", "items"});
  BulkChunkRequested c;
  c.chunkId = r.string("chunkId", 3, 2 * kBatchIdMax);
  c.batchId = r.string("batchId", 1, kBatchIdMax);
  c.ownerId = r.string("ownerId", 1, kBatchIdMax);
  c.chunkCount = static_cast<int>(r.integer("chunkCount", 1, 1000000));
  c.chunkIndex = static_cast<int>(r.integer("chunkIndex", 0, c.chunkCount - 1));
  c.totalItems = r.integer("totalItems", 1, 100000000);
  c.invalidItems = r.integer("invalidItems", 0, 100000000);
  c.reportKey = r.optionalString("reportKey", 1, 1024);
  c.requestedAtMs = r.timestamp("requestedAt");
  auto options = e.payload.find("options");
  if (options == e.payload.end() || !options->is_object()) r.violation("field 'options' must be an object");
  c.options = QrOptions::fromJson(*options, type);
  for (const auto& item : r.array("items", 1, kMaxInline)) {
    if (!item.is_object()) r.violation("field 'items' must hold objects");
    PayloadReader i(item, type);
    i.onlyFields({"index", "data", "label", "entry"});
    c.items.push_back({i.integer("index", 0, 100000000), i.string("data", 1, kDataMax), i.optionalString("label", 1, 256),
                       i.string("entry", 1, 255)});
  }
  return c;
}

nlohmann::json BulkChunkRequested::toPayload() const {
  nlohmann::json p = {{"chunkId", chunkId},         {"batchId", batchId},       {"ownerId", ownerId},
                      {"chunkIndex", chunkIndex},   {"chunkCount", chunkCount}, {"totalItems", totalItems},
                      {"invalidItems", invalidItems}, {"requestedAt", formatRfc3339Millis(requestedAtMs)},
                      {"options", options.toJson()}};
  putOptional(p, "reportKey", reportKey);
  auto& out = p["items"] = nlohmann::json::array();
  for (const auto& i : items) {
    nlohmann::json j = {{"index", i.index}, {"data", i.data}, {"entry", i.entry}};
    putOptional(j, "label", i.label);
    out.push_back(std::move(j));
  }
  return p;
}

BulkItemFailed BulkItemFailed::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BulkItemFailed>(e);
  r.onlyFields({"batchId", "index", "reason"});
  return {r.string("batchId", 1, kBatchIdMax), r.integer("index", 0, 100000000), r.string("reason", 1, 1000)};
}

nlohmann::json BulkItemFailed::toPayload() const { return {{"batchId", batchId}, {"index", index}, {"reason", reason}}; }

BulkBatchCompleted BulkBatchCompleted::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<BulkBatchCompleted>(e);
  r.onlyFields({"batchId", "ownerId", "status", "total", "generated", "failed", "invalid", "archiveKey", "archiveSha256",
                "reportKey", "error"});
  BulkBatchCompleted c;
  c.batchId = r.string("batchId", 1, kBatchIdMax);
  c.ownerId = r.string("ownerId", 1, kBatchIdMax);
  c.status = r.string("status", 1, 16);
  if (c.status != "completed" && c.status != "cancelled" && c.status != "rejected" && c.status != "failed")
    r.violation("field 'status' must be completed, cancelled, rejected or failed; got '" + c.status + "'");
  c.total = r.integer("total", 0, 100000000);
  c.generated = r.integer("generated", 0, 100000000);
  c.failed = r.integer("failed", 0, 100000000);
  c.invalid = r.integer("invalid", 0, 100000000);
  c.archiveKey = r.optionalString("archiveKey", 1, 1024);
  c.archiveSha256 = r.optionalString("archiveSha256", 64, 64);
  c.reportKey = r.optionalString("reportKey", 1, 1024);
  c.error = r.optionalString("error", 1, 1000);
  return c;
}

nlohmann::json BulkBatchCompleted::toPayload() const {
  nlohmann::json p = {{"batchId", batchId}, {"ownerId", ownerId},     {"status", status}, {"total", total},
                      {"generated", generated}, {"failed", failed}, {"invalid", invalid}};
  putOptional(p, "archiveKey", archiveKey);
  putOptional(p, "archiveSha256", archiveSha256);
  putOptional(p, "reportKey", reportKey);
  putOptional(p, "error", error);
  return p;
}

}  // namespace qrfleet::events
