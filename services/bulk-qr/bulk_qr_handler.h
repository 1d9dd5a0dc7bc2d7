#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/events/bulk_qr_events.h"
#include "qrfleet/outside/object_store.h"
#include "qrfleet/route.h"

namespace qrfleet::bulkqr {

struct BulkQrSettings {
  std::size_t chunkSize = 250;
  std::size_t maxItems = 200000;        // rows per batch
  std::size_t maxInlineItems = 1000;    // items inside the event (MAX_EVENT_BYTES bounds it too)
  std::int64_t maxCsvBytes = 64LL << 20;
  std::string chunksTopic = "bulk-qr-chunks";
  std::string statusTopic = "bulk-qr-status";
  std::string notificationsTopic = "notifications";
  std::chrono::seconds linkTtl{7 * 86400};  // the archive link in the owner's notification
  std::int64_t progressTtlSeconds = 7 * 86400;
};

// qrfleet-bulk-qr's two routes. The splitter (bulk-qr-processing) reads a
// batch's items (inline or the CSV object it names), refuses bad rows into a
// validation report and splits the rest into chunk-requested events spread
// over every partition. The generator (bulk-qr-chunks) draws a chunk's codes,
// stores them, counts the chunk against its batch under the batch row's lock
// and, for the batch's last chunk, merges the archive and reports completion.
class BulkQrHandler : public BatchHandler {
 public:
  BulkQrHandler(BulkQrSettings settings, ObjectStore& store);
  std::vector<std::string> emitsTo() const override;
  // The outside-call target of drawing and storing a chunk: mostly CPU, so
  // its concurrency follows the cores (the definition's default), not the
  // object store's.
  static constexpr const char* generationTarget = "qr-generation";

  // bulk-qr-processing: batch-requested and batch-cancelled, one at a time in offset order.
  void onRequest(const Decoded<events::BulkRequest>& request, Effects& fx);
  // bulk-qr-chunks (and its retry topic).
  void onChunks(std::span<const Decoded<events::BulkChunkRequested>> chunks, Effects& fx);

  void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const override;

 private:
  struct CountedChunk;
  struct BatchProgress;
  void split(const ConsumedEvent& e, const events::BulkBatchRequested& batch, Effects& fx);
  void cancel(const ConsumedEvent& e, const events::BulkBatchCancelled& cancel, Effects& fx);
  void reject(const ConsumedEvent& e, const events::BulkBatchRequested& batch, const std::string& why, Effects& fx);
  BatchProgress count(const std::vector<CountedChunk>& chunks, Effects& fx);
  void finish(std::vector<BatchProgress>& done, Effects& fx);
  void emitCompleted(const ConsumedEvent& cause, const events::BulkBatchCompleted& c, Effects& fx);

  BulkQrSettings settings_;
  ObjectStore& store_;
};

}  // namespace qrfleet::bulkqr
