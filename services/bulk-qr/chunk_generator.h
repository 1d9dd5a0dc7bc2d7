#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "qrfleet/events/bulk_qr_events.h"
#include "qrfleet/outside/object_store.h"

namespace qrfleet::bulkqr {

struct GeneratedItem {
  std::int64_t index = 0;
  std::string pngSha256;  // empty when the batch has no PNGs
  std::string svgSha256;
};
struct FailedItem {
  std::int64_t index = 0;
  std::string reason;
};

// What generating one chunk came to: the digest of every file, the items
// that could not be codes.
struct ChunkResult {
  std::vector<GeneratedItem> generated;
  std::vector<FailedItem> failed;
  double seconds = 0;  // drawing and storing, for the chunk's timing row
  // The outside step's recorded detail: counts only (the ledger keeps short details).
  std::string summary() const;
};

// Draws every item of the chunk; with a store, puts each file at its
// deterministic key and the chunk's files as one ZIP part (what the archive
// is merged from). Drawing is deterministic, so a re-run whose put step is
// already recorded draws without a store to get the same digests back. An
// item that cannot be encoded is a failed item, not a failed chunk; a store
// error throws ObjectStoreError.
ChunkResult generateChunk(const events::BulkChunkRequested& chunk, ObjectStore* store);

struct ArchiveResult {
  std::string key;
  std::string sha256;
  std::uint64_t bytes = 0;
  std::size_t entries = 0;
  std::string toDetail() const;
  static ArchiveResult fromDetail(const std::string& detail);
};

// Merges the batch's chunk parts (and its validation report) into one ZIP,
// streamed through a temporary file, and puts it at the archive key. Every
// part stays open until the archive is written: more parts than the process
// may open files is a permanent ObjectStoreError (raise BULK_QR_CHUNK_SIZE).
ArchiveResult buildArchive(ObjectStore& store, const std::string& ownerId, const std::string& batchId,
                           const std::vector<int>& parts, const std::optional<std::string>& reportKey,
                           std::int64_t requestedAtMs);

}  // namespace qrfleet::bulkqr
