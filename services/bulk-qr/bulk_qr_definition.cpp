#include "bulk_qr_definition.h"

#include <algorithm>
#include <thread>

#include "bulk_qr_handler.h"
#include "qrfleet/outside/object_store_config.h"

namespace qrfleet {
std::span<const EmbeddedFile> bulkQrMigrations();
}

qrfleet::ServiceDefinition bulkQrDefinition() {
  using qrfleet::bulkqr::BulkQrHandler;
  qrfleet::ServiceDefinition d;
  d.name = "bulk-qr";
  d.description = "Bulk QR generation: CSV or inline batches split into chunks over every partition, PNG/SVG codes in "
                  "object storage, one ZIP archive and one completion per batch, live progress in Redis";
  d.consumerGroup = "bulk-qr";
  // A chunk whose store call failed for now comes back through bulk-qr-chunks-retry.
  qrfleet::FailurePolicy chunkFailures;
  chunkFailures.retryTopic = true;
  d.routes = {
      // Requests and cancellations on a lane of their own: a cancellation overtakes the chunk backlog it stops.
      qrfleet::route("bulk-qr-processing", "batchId", &BulkQrHandler::onRequest).onOwnLane(),
      qrfleet::route("bulk-qr-chunks", "chunkId", &BulkQrHandler::onChunks, chunkFailures),
  };
  d.postgresSchema = "qr";
  d.redisPrefix = "bulk-qr";
  d.migrations = qrfleet::bulkQrMigrations();
  // Whether a cancellation arrived before the last chunk is a matter of timing
  // (the status it led to is not: the ledger decides it under replay).
  d.volatileColumns = {"batches.completed_at", "batches.cancelled", "batches.cancel_reason", "chunks.done_at",
                       "chunks.generate_ms"};
  d.interleavingDependentKeys = {"batch:*:eta"};
  d.options = {
      {"BULK_QR_CHUNK_SIZE", "codes per chunk (a chunk is one outside step and one ZIP part)", "250"},
      {"BULK_QR_MAX_ITEMS", "rows per batch", "200000"},
      {"BULK_QR_MAX_INLINE_ITEMS", "items carried inside a batch-requested event (more: upload a CSV)", "1000"},
      {"BULK_QR_MAX_CSV_BYTES", "size of an uploaded CSV", "67108864"},
      {"BULK_QR_STATUS_TOPIC", "topic for item-failed and batch-completed", "bulk-qr-status"},
      {"BULK_QR_NOTIFICATIONS_TOPIC", "topic for the owner's notification.requested", "notifications"},
      {"BULK_QR_LINK_TTL_S", "how long the archive link in the notification works", "604800"},
      {"BULK_QR_PROGRESS_TTL_S", "how long a batch's progress stays in Redis", "604800"},
  };
  for (auto& o : qrfleet::objectStoreOptions()) d.options.push_back(std::move(o));
  // Two chunks a core: a chunk is mostly CPU, and more threads than that only contend for the cores (and,
  // with the file store, its directory). 2 a core and 16 in all measured the same within noise on 2 cores
  // (README, bulk-qr benchmark); 1 a core left the cores idle while a chunk waited for its puts.
  d.outsideTargetLimits = {
      {BulkQrHandler::generationTarget, static_cast<int>(std::max(1u, std::thread::hardware_concurrency()) * 2)}};
  d.makeHandler = [](qrfleet::ServiceContext& ctx) -> std::unique_ptr<qrfleet::BatchHandler> {
    auto& c = ctx.config;
    qrfleet::bulkqr::BulkQrSettings s;
    s.chunkSize = static_cast<std::size_t>(c.integer("BULK_QR_CHUNK_SIZE", 1, 10000));
    s.maxItems = static_cast<std::size_t>(c.integer("BULK_QR_MAX_ITEMS", 1, 10000000));
    s.maxInlineItems = static_cast<std::size_t>(c.integer("BULK_QR_MAX_INLINE_ITEMS", 1, 10000));
    s.maxCsvBytes = c.integer("BULK_QR_MAX_CSV_BYTES", 1, std::int64_t(1) << 34);
    s.chunksTopic = ctx.service.routes.at(1).topic;
    s.statusTopic = c.string("BULK_QR_STATUS_TOPIC");
    s.notificationsTopic = c.string("BULK_QR_NOTIFICATIONS_TOPIC");
    s.linkTtl = std::chrono::seconds(c.integer("BULK_QR_LINK_TTL_S", 60, 7 * 86400));
    s.progressTtlSeconds = c.integer("BULK_QR_PROGRESS_TTL_S", 60, 365 * 86400);
    return std::make_unique<BulkQrHandler>(std::move(s), ctx.outside.objectStore(c));
  };
  return d;
}
