#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// The events of bulk QR generation. The platform's API publishes
// batch-requested and batch-cancelled on `bulk-qr-processing` (key batchId);
// qrfleet-bulk-qr splits a batch into chunk-requested events on
// `bulk-qr-chunks` (key chunkId, so one batch's chunks spread over every
// partition and replica) and reports on `bulk-qr-status` (key batchId).
// Contracts: schemas/events/bulk-qr.*.v1.json.

// How every code of a batch is drawn.
struct QrOptions {
  bool png = true;
  bool svg = false;
  int sizePx = 300;           // width and height of the image
  int margin = 4;             // quiet zone, in modules
  char errorCorrection = 'M'; // L, M, Q or H
  std::string foreground = "#000000";
  std::string background = "#ffffff";
  std::optional<std::string> naming;  // archive file name template: {index}, {label}, {data}

  std::string formats() const { return png && svg ? "both" : (svg ? "svg" : "png"); }
  nlohmann::json toJson() const;
  static QrOptions fromJson(const nlohmann::json& options, std::string_view eventType);
};

// The items of a batch are inline or in a CSV object (claim check: the
// event names the object and its digest, never carries the file).
struct BatchItem {
  std::string data;
  std::optional<std::string> label;
  std::optional<std::string> filename;
};
struct CsvObject {
  std::string objectKey;
  std::int64_t size = 0;
  std::string sha256;  // lowercase hex
};

struct BulkBatchRequested {
  static constexpr std::string_view type = "bulk-qr.batch-requested";
  static bool supports(int version) { return version == 1; }
  std::string batchId;
  std::string ownerId;
  std::vector<BatchItem> items;  // empty when csv is set
  std::optional<CsvObject> csv;
  QrOptions options;
  static BulkBatchRequested fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BulkBatchCancelled {
  static constexpr std::string_view type = "bulk-qr.batch-cancelled";
  static bool supports(int version) { return version == 1; }
  std::string batchId;
  std::optional<std::string> reason;
  static BulkBatchCancelled fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

// What the bulk-qr-processing topic carries.
using BulkRequest = std::variant<BulkBatchRequested, BulkBatchCancelled>;

// One item of a chunk: its position in the batch and the archive file name
// (without extension) the splitter chose, unique within the batch.
struct ChunkItem {
  std::int64_t index = 0;
  std::string data;
  std::optional<std::string> label;
  std::string entry;
};

// A share of a batch, self-contained: a chunk is generated and counted from
// this event alone, so chunks may run before the splitter's own transaction
// is visible, and the last one to finish completes the batch.
struct BulkChunkRequested {
  static constexpr std::string_view type = "bulk-qr.chunk-requested";
  static bool supports(int version) { return version == 1; }
  std::string chunkId;  // <batchId>/<chunkIndex>
  std::string batchId;
  std::string ownerId;
  int chunkIndex = 0;
  int chunkCount = 0;
  std::int64_t totalItems = 0;    // valid items of the batch
  std::int64_t invalidItems = 0;  // rows refused by validation
  std::optional<std::string> reportKey;
  std::int64_t requestedAtMs = 0;  // the batch request's time
  QrOptions options;
  std::vector<ChunkItem> items;
  static BulkChunkRequested fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BulkItemFailed {
  static constexpr std::string_view type = "bulk-qr.item-failed";
  static bool supports(int version) { return version == 1; }
  std::string batchId;
  std::int64_t index = 0;
  std::string reason;
  static BulkItemFailed fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

struct BulkBatchCompleted {
  static constexpr std::string_view type = "bulk-qr.batch-completed";
  static bool supports(int version) { return version == 1; }
  std::string batchId;
  std::string ownerId;
  std::string status;  // completed | cancelled | rejected | failed (the archive could not be made)
  std::int64_t total = 0;
  std::int64_t generated = 0;
  std::int64_t failed = 0;
  std::int64_t invalid = 0;
  std::optional<std::string> archiveKey;
  std::optional<std::string> archiveSha256;
  std::optional<std::string> reportKey;
  std::optional<std::string> error;  // why a batch was rejected
  static BulkBatchCompleted fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

// The Redis hash the platform's API and `qrfleet bulk status` read
// (total, generated, failed, invalid, status, chunks, chunksDone, etaMs),
// and the channel its websocket gateway relays (a JSON message per chunk).
inline std::string bulkProgressKey(const std::string& batchId) { return "bulk-qr:batch:" + batchId; }
inline std::string bulkProgressChannel(const std::string& batchId) { return "bulk-qr:batch:" + batchId + ":progress"; }

}  // namespace qrfleet::events
