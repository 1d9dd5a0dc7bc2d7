#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "csv_items.h"
#include "qrfleet/events/bulk_qr_events.h"

namespace qrfleet::bulkqr {

// What the splitter decided for a batch: the items that will be codes (with
// their index in the batch and archive file name), the rows refused with
// their reasons, and the chunks the items are generated in.
struct BatchPlan {
  std::vector<events::ChunkItem> items;
  std::vector<CsvRowError> invalid;
  std::vector<std::vector<events::ChunkItem>> chunks;
};

// Validates the rows against the batch's options (data length for the
// error-correction level), names each file (its filename, else the naming
// template, else its index; made safe and unique within the batch) and
// splits the valid items into chunks of at most `chunkSize`. `invalid` holds
// the rows already refused by parsing; the result keeps them in row order.
BatchPlan planBatch(const std::vector<CsvItem>& rows, std::vector<CsvRowError> invalid,
                    const events::QrOptions& options, std::size_t chunkSize);

// The archive file name (without extension) of one item.
std::string entryName(const events::QrOptions& options, std::int64_t index, const CsvItem& row);

// The validation report stored beside the archive: a CSV of row, reason.
std::string validationReport(const std::vector<CsvRowError>& invalid);

// The chunk-requested events of a planned batch.
std::vector<events::BulkChunkRequested> chunkRequests(const events::BulkBatchRequested& batch, const BatchPlan& plan,
                                                      const std::optional<std::string>& reportKey,
                                                      std::int64_t requestedAtMs);

}  // namespace qrfleet::bulkqr
