#include "bulk_qr_handler.h"

#include <algorithm>
#include <map>
#include <set>

#include "batch_plan.h"
#include "bulk_qr_keys.h"
#include "chunk_generator.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/failure_kind.h"
#include "qrfleet/sha256.h"
#include "qrfleet/sql_array.h"
#include "qrfleet/time_format.h"
#include "qrfleet/utf8.h"

namespace qrfleet::bulkqr {

namespace {
constexpr const char* kSource = "qrfleet-bulk-qr";
// The namespace of ids that belong to a batch rather than to the message that
// caused them (its completion, its notification, its archive step).
constexpr const char* kBatchNamespace = "6f1c8a52-3b7e-5d0a-9c4e-2b8f7a1d3e60";

// A follow-up of the batch: its id is a function of the batch alone, since
// whichever chunk finishes the batch can differ between a run and its re-run.
Envelope batchEvent(const ConsumedEvent& cause, const std::string& batchId, const std::string& what,
                    std::string_view type, nlohmann::json payload) {
  auto e = derivedEvent(cause.envelope, what + "/" + batchId, type, 1, std::move(payload), kSource);
  e.eventId = uuidV5(kBatchNamespace, what + "/" + batchId);
  return e;
}

std::string batchSubject(const std::string& batchId) { return "bulk-qr-batch:" + batchId; }

// Ids become object keys (qr/<ownerId>/<batchId>/...): one path segment each.
bool keySafe(const std::string& id) {
  if (id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@' || c == '+' || c == '=';
  });
}

// Error texts fit the completion event's 1000 characters.
std::string clipped(const std::string& text) { return utf8Prefix(text, 1000); }

std::optional<std::string> optionalField(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
}  // namespace

// A chunk whose outcome is known this batch: generated, refused for good, or skipped (cancelled).
struct BulkQrHandler::CountedChunk {
  const Decoded<events::BulkChunkRequested>* chunk;
  std::string status;  // generated | failed | cancelled
  ChunkResult result;
  std::string error;
};

// A batch's row after this handler call counted its chunks.
struct BulkQrHandler::BatchProgress {
  const ConsumedEvent* last;  // the chunk event that counted last: the cause of any completion
  const events::BulkChunkRequested* chunk;
  int chunksDone = 0;
  int chunkCount = 0;
  bool cancelled = false;
  std::string status;
  std::int64_t total = 0, generated = 0, failed = 0, invalid = 0;
  std::optional<std::string> reportKey;
  std::vector<int> parts;  // chunks that left a ZIP part (generated ones)
};

BulkQrHandler::BulkQrHandler(BulkQrSettings settings, ObjectStore& store) : settings_(std::move(settings)), store_(store) {}

std::vector<std::string> BulkQrHandler::emitsTo() const {
  return {settings_.chunksTopic, settings_.statusTopic, settings_.notificationsTopic};
}

void BulkQrHandler::onRequest(const Decoded<events::BulkRequest>& request, Effects& fx) {
  const auto& e = *request.event;
  if (const auto* c = std::get_if<events::BulkBatchCancelled>(&request.data)) return cancel(e, *c, fx);
  const auto& batch = std::get<events::BulkBatchRequested>(request.data);
  auto known = fx.sql().exec_params("SELECT request_event_id FROM qr.batches WHERE batch_id = $1", batch.batchId);
  if (!known.empty() && !known[0][0].is_null()) {
    auto earlier = known[0][0].as<std::string>();
    if (earlier == e.envelope.eventId) return fx.duplicate(e);
    throw EventRejected(RejectReason::handlerRejected,
                        "batch " + batch.batchId + " was already requested (event " + earlier + ")");
  }
  split(e, batch, fx);
}

void BulkQrHandler::reject(const ConsumedEvent& e, const events::BulkBatchRequested& batch, const std::string& why,
                           Effects& fx) {
  fx.sql().exec_params(
      "INSERT INTO qr.batches (batch_id, owner_id, request_event_id, status, options, total_items, chunk_count, error,"
      " requested_at, completed_at) VALUES ($1, $2, $3, 'rejected', $4::jsonb, 0, 0, $5, to_timestamp($6 / 1000.0), clock_timestamp())"
      " ON CONFLICT (batch_id) DO NOTHING",
      batch.batchId, batch.ownerId, e.envelope.eventId, batch.options.toJson().dump(), why, e.envelope.timestampMs);
  events::BulkBatchCompleted c;
  c.batchId = batch.batchId;
  c.ownerId = batch.ownerId;
  c.status = "rejected";
  c.error = clipped(why);
  emitCompleted(e, c, fx);
  auto redis = fx.redis(e);
  auto key = events::bulkProgressKey(batch.batchId);
  redis.command({"HSET", key, "status", "rejected", "error", why, "total", "0"});
  redis.command({"EXPIRE", key, std::to_string(settings_.progressTtlSeconds)});
  redis.publish(events::bulkProgressChannel(batch.batchId), nlohmann::json{{"batchId", batch.batchId}, {"status", "rejected"}, {"error", why}}.dump());
}

void BulkQrHandler::split(const ConsumedEvent& e, const events::BulkBatchRequested& batch, Effects& fx) {
  if (!keySafe(batch.batchId) || !keySafe(batch.ownerId))
    return reject(e, batch, "batchId and ownerId name object keys: letters, digits and - _ . @ + = only", fx);
  std::vector<CsvItem> rows;
  std::vector<CsvRowError> refused;
  if (batch.csv) {
    std::optional<std::string> bytes;
    try {
      bytes = store_.get(batch.csv->objectKey);
    } catch (const ObjectStoreError& err) {
      if (err.transient()) throw TransientError(std::string("reading the batch's CSV: ") + err.what());
      return reject(e, batch, std::string("the CSV cannot be read: ") + err.what(), fx);
    }
    if (!bytes) return reject(e, batch, "the CSV object " + batch.csv->objectKey + " does not exist", fx);
    if (static_cast<std::int64_t>(bytes->size()) != batch.csv->size)
      return reject(e, batch, "the CSV object has " + std::to_string(bytes->size()) + " bytes; the request says " +
                                  std::to_string(batch.csv->size), fx);
    if (static_cast<std::int64_t>(bytes->size()) > settings_.maxCsvBytes)
      return reject(e, batch, "the CSV has " + std::to_string(bytes->size()) + " bytes; at most " +
                                  std::to_string(settings_.maxCsvBytes) + " are accepted (BULK_QR_MAX_CSV_BYTES)", fx);
    if (sha256Hex(*bytes) != batch.csv->sha256)
      return reject(e, batch, "the CSV object's SHA-256 differs from the request's: the file changed after upload", fx);
    try {
      auto parsed = parseCsvItems(*bytes, settings_.maxItems);
      rows = std::move(parsed.items);
      refused = std::move(parsed.errors);
    } catch (const CsvBatchError& err) {
      return reject(e, batch, err.what(), fx);
    }
  } else {
    if (batch.items.size() > settings_.maxInlineItems)
      return reject(e, batch, std::to_string(batch.items.size()) + " inline items; at most " +
                                  std::to_string(settings_.maxInlineItems) + " (BULK_QR_MAX_INLINE_ITEMS): upload a CSV", fx);
    for (std::size_t i = 0; i < batch.items.size(); ++i)
      rows.push_back({static_cast<std::int64_t>(i + 1), batch.items[i].data, batch.items[i].label, batch.items[i].filename});
  }
  if (rows.size() > settings_.maxItems)
    return reject(e, batch, std::to_string(rows.size()) + " items; a batch may have at most " +
                                std::to_string(settings_.maxItems) + " (BULK_QR_MAX_ITEMS)", fx);

  auto plan = planBatch(rows, std::move(refused), batch.options, settings_.chunkSize);
  std::optional<std::string> reportKey;
  if (!plan.invalid.empty()) {
    reportKey = objects::report(batch.ownerId, batch.batchId);
    auto report = validationReport(plan.invalid);
    std::vector<OutsideStep> steps{{&e, "put:" + *reportKey, "object-store", "", [&](const OutsideCall&) {
                                      try {
                                        store_.put(*reportKey, report, "text/csv");
                                        return StepOutcome::success(*reportKey);
                                      } catch (const ObjectStoreError& err) {
                                        return err.outcome();
                                      }
                                    }}};
    auto outcome = fx.callOutside(steps).front();
    if (outcome.status == StepStatus::failedTransiently)
      throw TransientError("storing the validation report: " + outcome.detail);
    if (outcome.status == StepStatus::failedPermanently)
      return reject(e, batch, "the object store refused the validation report: " + outcome.detail, fx);
  }

  const bool empty = plan.chunks.empty();
  fx.sql().exec_params(
      "INSERT INTO qr.batches (batch_id, owner_id, request_event_id, status, options, total_items, invalid_items,"
      " chunk_count, report_key, requested_at, completed_at)"
      " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, to_timestamp($10 / 1000.0), CASE WHEN $4 = 'completed' THEN clock_timestamp() END)"
      " ON CONFLICT (batch_id) DO UPDATE SET request_event_id = EXCLUDED.request_event_id,"
      " invalid_items = EXCLUDED.invalid_items, report_key = EXCLUDED.report_key",
      batch.batchId, batch.ownerId, e.envelope.eventId, empty ? "completed" : "generating", batch.options.toJson().dump(),
      static_cast<std::int64_t>(plan.items.size()), static_cast<std::int64_t>(plan.invalid.size()),
      static_cast<int>(plan.chunks.size()), reportKey, e.envelope.timestampMs);
  if (!plan.invalid.empty()) {
    SqlArray rowNumbers, reasons;
    for (const auto& r : plan.invalid) {
      rowNumbers.add(r.row);
      reasons.add(r.reason);
    }
    fx.sql().exec_params(
        "INSERT INTO qr.invalid_rows (batch_id, row_number, reason) SELECT $1, r, why FROM unnest($2::bigint[], $3::text[])"
        " AS t(r, why) ON CONFLICT DO NOTHING",
        batch.batchId, rowNumbers.str(), reasons.str());
  }
  for (const auto& chunk : chunkRequests(batch, plan, reportKey, e.envelope.timestampMs))
    fx.emit(settings_.chunksTopic, chunk.chunkId,
            derivedEvent(e.envelope, "chunk/" + std::to_string(chunk.chunkIndex), events::BulkChunkRequested::type, 1,
                         chunk.toPayload(), kSource));

  auto redis = fx.redis(e);
  auto key = events::bulkProgressKey(batch.batchId);
  // Chunks may be counted before this commits: counters only grow, and the status is theirs to set.
  redis.command({"HSET", key, "total", std::to_string(plan.items.size()), "invalid", std::to_string(plan.invalid.size()),
                 "chunks", std::to_string(plan.chunks.size())});
  redis.command({"HINCRBY", key, "generated", "0"});
  redis.command({"HINCRBY", key, "failed", "0"});
  redis.command({"HINCRBY", key, "chunksDone", "0"});
  if (empty) {
    redis.command({"HSET", key, "status", "completed"});
    events::BulkBatchCompleted c;
    c.batchId = batch.batchId;
    c.ownerId = batch.ownerId;
    c.status = "completed";
    c.invalid = static_cast<std::int64_t>(plan.invalid.size());
    c.reportKey = reportKey;
    emitCompleted(e, c, fx);
  } else {
    redis.command({"HSETNX", key, "status", "generating"});
  }
  redis.command({"EXPIRE", key, std::to_string(settings_.progressTtlSeconds)});
}

void BulkQrHandler::cancel(const ConsumedEvent& e, const events::BulkBatchCancelled& c, Effects& fx) {
  auto r = fx.sql().exec_params(
      "UPDATE qr.batches SET cancelled = true, cancel_reason = $2 WHERE batch_id = $1 AND status = 'generating'"
      " AND NOT cancelled RETURNING batch_id",
      c.batchId, c.reason);
  if (r.empty()) {
    auto known = fx.sql().exec_params("SELECT status FROM qr.batches WHERE batch_id = $1", c.batchId);
    if (known.empty()) fx.reject(e, RejectReason::handlerRejected, "no batch " + c.batchId + " to cancel");
    return;  // already finished or cancelled: nothing to stop
  }
  // The chunk that counts last sets the status (in Redis too).
}

void BulkQrHandler::onChunks(std::span<const Decoded<events::BulkChunkRequested>> chunks, Effects& fx) {
  // What is already known: chunks counted before, batches cancelled.
  SqlArray batchIds, chunkBatches, chunkIndexes;
  std::set<std::string> seenBatches;
  for (const auto& c : chunks) {
    if (seenBatches.insert(c.data.batchId).second) batchIds.add(c.data.batchId);
    chunkBatches.add(c.data.batchId);
    chunkIndexes.add(static_cast<std::int64_t>(c.data.chunkIndex));
  }
  std::set<std::string> cancelled;
  for (const auto& row : fx.sql().exec_params("SELECT batch_id FROM qr.batches WHERE batch_id = ANY($1::text[]) AND cancelled",
                                              batchIds.str()))
    cancelled.insert(row[0].as<std::string>());
  std::set<std::pair<std::string, int>> counted;
  for (const auto& row : fx.sql().exec_params(
           "SELECT c.batch_id, c.chunk_index FROM qr.chunks c JOIN unnest($1::text[], $2::int[]) AS t(b, i)"
           " ON c.batch_id = t.b AND c.chunk_index = t.i",
           chunkBatches.str(), chunkIndexes.str()))
    counted.emplace(row[0].as<std::string>(), row[1].as<int>());

  std::vector<CountedChunk> done;
  std::vector<const Decoded<events::BulkChunkRequested>*> generating;
  for (const auto& c : chunks) {
    if (!counted.emplace(c.data.batchId, c.data.chunkIndex).second) {
      fx.duplicate(*c.event);
      continue;
    }
    // Under replay the ledger decides: a chunk drawn live counts as drawn
    // even if the replay applied the cancellation sooner than the live run did.
    if (cancelled.count(c.data.batchId) && !fx.replaying()) {
      done.push_back({&c, "cancelled", {}, {}});
      continue;
    }
    generating.push_back(&c);
  }
  // Each step leaves its chunk's digests in its own slot.
  std::vector<ChunkResult> drawn(generating.size());
  std::vector<OutsideStep> steps;
  for (std::size_t i = 0; i < generating.size(); ++i) {
    const auto& c = *generating[i];
    steps.push_back({c.event, "generate:" + c.data.chunkId, generationTarget, "", [this, &c, &slot = drawn[i]](const OutsideCall&) {
                       try {
                         slot = generateChunk(c.data, &store_);
                         return StepOutcome::success(slot.summary());
                       } catch (const ObjectStoreError& err) {
                         return err.outcome();
                       }
                     }});
  }
  auto outcomes = fx.callOutside(steps);
  for (std::size_t i = 0; i < generating.size(); ++i) {
    const auto& c = *generating[i];
    const auto& o = outcomes[i];
    switch (o.status) {
      case StepStatus::succeeded:
        // An earlier run stored the files: drawn again without storing, the same bytes give the same digests.
        done.push_back({&c, "generated", o.fromLedger ? generateChunk(c.data, nullptr) : std::move(drawn[i]), {}});
        break;
      case StepStatus::failedPermanently: {
        // The store refused for good (credentials, a bad key): every item of the chunk failed; the batch goes on.
        CountedChunk f{&c, "failed", {}, o.detail};
        for (const auto& item : c.data.items) f.result.failed.push_back({item.index, o.detail});
        done.push_back(std::move(f));
        break;
      }
      case StepStatus::failedTransiently:
        fx.retryLater(*c.event, o.detail, o.retryAfter);
        break;
      case StepStatus::notCalled:
        // A replay, and the live run never drew it: it was cancelled (or refused for
        // good: refusals are not kept, so a replay counts those as cancelled too).
        done.push_back({&c, "cancelled", {}, {}});
        break;
    }
  }

  // Batch by batch in id order, so lanes and replicas lock batch rows in one order.
  std::map<std::string, std::vector<CountedChunk>> byBatch;
  for (auto& c : done) byBatch[c.chunk->data.batchId].push_back(std::move(c));
  std::vector<BatchProgress> finished;
  for (auto& [batchId, batchChunks] : byBatch) {
    auto progress = count(batchChunks, fx);
    if (progress.chunksDone == progress.chunkCount && progress.status == "generating") finished.push_back(progress);
  }
  if (!finished.empty()) finish(finished, fx);
}

BulkQrHandler::BatchProgress BulkQrHandler::count(const std::vector<CountedChunk>& chunks, Effects& fx) {
  const auto& first = chunks.front().chunk->data;
  auto& sql = fx.sql();
  // The batch row may not exist yet: the splitter's transaction commits after its chunks were produced.
  sql.exec_params(
      "INSERT INTO qr.batches (batch_id, owner_id, options, total_items, invalid_items, chunk_count, report_key, requested_at)"
      " VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, to_timestamp($8 / 1000.0))"
      // The chunks in the log say how the batch was split (a replay's splitter may be configured otherwise).
      " ON CONFLICT (batch_id) DO UPDATE SET chunk_count = EXCLUDED.chunk_count WHERE batches.chunk_count <> EXCLUDED.chunk_count",
      first.batchId, first.ownerId, first.options.toJson().dump(), first.totalItems, first.invalidItems, first.chunkCount,
      first.reportKey, first.requestedAtMs);
  std::int64_t generated = 0, failed = 0;
  SqlArray idx, chunkIdx, data, labels, entries, pngKeys, pngSha, svgKeys, svgSha, failures;
  SqlArray cIdx, cStatus, cItems, cFailed, cError, cMs;
  for (const auto& c : chunks) {
    const auto& chunk = c.chunk->data;
    std::map<std::int64_t, const GeneratedItem*> made;
    for (const auto& g : c.result.generated) made[g.index] = &g;
    std::map<std::int64_t, std::string> why;
    for (const auto& f : c.result.failed) why[f.index] = f.reason;
    for (const auto& item : chunk.items) {
      auto m = made.find(item.index);
      auto f = why.find(item.index);
      if (m == made.end() && f == why.end()) continue;  // cancelled: not drawn
      idx.add(item.index);
      chunkIdx.add(static_cast<std::int64_t>(chunk.chunkIndex));
      data.add(item.data);
      item.label ? labels.add(*item.label) : labels.addNull();
      entries.add(item.entry);
      bool ok = m != made.end();
      bool png = ok && !m->second->pngSha256.empty(), svg = ok && !m->second->svgSha256.empty();
      png ? pngKeys.add(objects::code(chunk.ownerId, chunk.batchId, item.index, "png")) : pngKeys.addNull();
      png ? pngSha.add(m->second->pngSha256) : pngSha.addNull();
      svg ? svgKeys.add(objects::code(chunk.ownerId, chunk.batchId, item.index, "svg")) : svgKeys.addNull();
      svg ? svgSha.add(m->second->svgSha256) : svgSha.addNull();
      ok ? failures.addNull() : failures.add(f->second);
    }
    cIdx.add(static_cast<std::int64_t>(chunk.chunkIndex));
    cStatus.add(c.status);
    cItems.add(static_cast<std::int64_t>(chunk.items.size()));
    cFailed.add(static_cast<std::int64_t>(c.result.failed.size()));
    c.error.empty() ? cError.addNull() : cError.add(c.error);
    cMs.add(static_cast<std::int64_t>(c.result.seconds * 1000.0));
    generated += static_cast<std::int64_t>(c.result.generated.size());
    failed += static_cast<std::int64_t>(c.result.failed.size());
    for (const auto& f : c.result.failed)
      fx.emit(settings_.statusTopic, chunk.batchId,
              derivedEvent(c.chunk->event->envelope, "item-failed/" + std::to_string(f.index), events::BulkItemFailed::type,
                           1, events::BulkItemFailed{chunk.batchId, f.index, f.reason}.toPayload(), kSource));
  }
  sql.exec_params(
      "INSERT INTO qr.chunks (batch_id, chunk_index, status, items, failed, error, generate_ms)"
      " SELECT $1, i, s, n, f, e, ms FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[])"
      " AS t(i, s, n, f, e, ms)",
      first.batchId, cIdx.str(), cStatus.str(), cItems.str(), cFailed.str(), cError.str(), cMs.str());
  if (idx.size() > 0)
    sql.exec_params(
        "INSERT INTO qr.items (batch_id, item_index, chunk_index, data, label, entry, png_key, png_sha256, svg_key, svg_sha256,"
        " failure) SELECT $1, i, c, d, l, e, pk, ps, sk, ss, f FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[],"
        " $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS t(i, c, d, l, e, pk, ps, sk, ss, f)",
        first.batchId, idx.str(), chunkIdx.str(), data.str(), labels.str(), entries.str(), pngKeys.str(), pngSha.str(),
        svgKeys.str(), svgSha.str(), failures.str());
  auto row = sql.exec_params1(
      "UPDATE qr.batches SET chunks_done = chunks_done + $2, generated = generated + $3, failed = failed + $4"
      " WHERE batch_id = $1 RETURNING chunks_done, chunk_count, cancelled, status, total_items, generated, failed,"
      " invalid_items, report_key, (extract(epoch FROM requested_at) * 1000)::bigint",
      first.batchId, static_cast<int>(chunks.size()), generated, failed);
  BatchProgress p;
  p.last = chunks.back().chunk->event;
  p.chunk = &chunks.back().chunk->data;
  p.chunksDone = row[0].as<int>();
  p.chunkCount = row[1].as<int>();
  p.cancelled = row[2].as<bool>();
  p.status = row[3].as<std::string>();
  p.total = row[4].as<std::int64_t>();
  p.generated = row[5].as<std::int64_t>();
  p.failed = row[6].as<std::int64_t>();
  p.invalid = row[7].as<std::int64_t>();
  p.reportKey = optionalField(row[8]);

  // Progress, on the counting events' writers (a replayed chunk writes nothing twice).
  auto key = events::bulkProgressKey(first.batchId);
  for (const auto& c : chunks) {
    auto redis = fx.redis(*c.chunk->event);
    redis.command({"HSET", key, "total", std::to_string(first.totalItems), "invalid", std::to_string(first.invalidItems),
                   "chunks", std::to_string(first.chunkCount)});
    redis.command({"HINCRBY", key, "generated", std::to_string(c.result.generated.size())});
    redis.command({"HINCRBY", key, "failed", std::to_string(c.result.failed.size())});
    redis.command({"HINCRBY", key, "chunksDone", "1"});
    redis.command({"HSETNX", key, "status", "generating"});
    redis.command({"EXPIRE", key, std::to_string(settings_.progressTtlSeconds)});
  }
  // The estimate depends on the clock, so it lives beside the hash (replays leave it out).
  auto elapsed = std::max<std::int64_t>(nowMillis() - row[9].as<std::int64_t>(), 0);
  auto drawn = p.generated + p.failed;
  auto etaMs = drawn > 0 ? elapsed * std::max<std::int64_t>(p.total - drawn, 0) / drawn : -1;
  auto redis = fx.redis(*p.last);
  redis.command({"SET", key + ":eta", std::to_string(etaMs), "EX", std::to_string(settings_.progressTtlSeconds)});
  redis.publish(events::bulkProgressChannel(first.batchId),
                nlohmann::json{{"batchId", first.batchId}, {"total", p.total}, {"generated", p.generated},
                               {"failed", p.failed}, {"status", p.chunksDone == p.chunkCount ? "finishing" : "generating"},
                               {"etaMs", etaMs}}
                    .dump());
  return p;
}

void BulkQrHandler::finish(std::vector<BatchProgress>& done, Effects& fx) {
  std::vector<OutsideStep> steps;
  std::vector<BatchProgress*> archiving;
  for (auto& b : done) {
    // Whether a cancellation overtook the last chunk depends on timing; a replay
    // takes the live run's answer from the ledger: no archive made means cancelled.
    if (b.cancelled && !fx.replaying()) {
      fx.sql().exec_params("UPDATE qr.batches SET status = 'cancelled', completed_at = clock_timestamp() WHERE batch_id = $1",
                           b.chunk->batchId);
      events::BulkBatchCompleted c{b.chunk->batchId, b.chunk->ownerId, "cancelled", b.total, b.generated, b.failed,
                                   b.invalid, std::nullopt, std::nullopt, b.reportKey, std::nullopt};
      emitCompleted(*b.last, c, fx);
      fx.redis(*b.last).command({"HSET", events::bulkProgressKey(b.chunk->batchId), "status", "cancelled"});
      continue;
    }
    archiving.push_back(&b);
    // Chunks refused for good left no part; their items are counted as failed.
    for (const auto& row : fx.sql().exec_params(
             "SELECT chunk_index FROM qr.chunks WHERE batch_id = $1 AND status = 'generated' ORDER BY chunk_index",
             b.chunk->batchId))
      b.parts.push_back(row[0].as<int>());
    steps.push_back({b.last, "archive", "object-store", "",
                     [this, &b](const OutsideCall&) {
                       try {
                         return StepOutcome::success(buildArchive(store_, b.chunk->ownerId, b.chunk->batchId, b.parts,
                                                                  b.reportKey, b.chunk->requestedAtMs)
                                                         .toDetail());
                       } catch (const ObjectStoreError& err) {
                         return err.outcome();
                       }
                     },
                     batchSubject(b.chunk->batchId)});
  }
  auto outcomes = fx.callOutside(steps);
  std::vector<OutsideStep> cleanups;
  for (std::size_t i = 0; i < archiving.size(); ++i) {
    auto& b = *archiving[i];
    const auto& o = outcomes[i];
    const auto& batchId = b.chunk->batchId;
    if (o.status == StepStatus::notCalled) {  // a replay of a batch the live run cancelled
      fx.sql().exec_params("UPDATE qr.batches SET status = 'cancelled', completed_at = clock_timestamp() WHERE batch_id = $1",
                           batchId);
      events::BulkBatchCompleted c{batchId, b.chunk->ownerId, "cancelled", b.total, b.generated, b.failed, b.invalid,
                                   std::nullopt, std::nullopt, b.reportKey, std::nullopt};
      emitCompleted(*b.last, c, fx);
      fx.redis(*b.last).command({"HSET", events::bulkProgressKey(batchId), "status", "cancelled"});
      continue;
    }
    // The store is down: the whole batch runs again (its chunks' steps come back from the ledger).
    if (o.status == StepStatus::failedTransiently) throw TransientError("archive of batch " + batchId + ": " + o.detail);
    events::BulkBatchCompleted c{batchId, b.chunk->ownerId, "completed", b.total, b.generated, b.failed, b.invalid,
                                 std::nullopt, std::nullopt, b.reportKey, std::nullopt};
    auto key = events::bulkProgressKey(batchId);
    auto redis = fx.redis(*b.last);
    if (o.status == StepStatus::failedPermanently) {
      c.status = "failed";
      c.error = clipped("the archive could not be made: " + o.detail);
      fx.sql().exec_params("UPDATE qr.batches SET status = 'failed', error = $2, completed_at = clock_timestamp() WHERE batch_id = $1",
                           batchId, *c.error);
      redis.command({"HSET", key, "status", "failed", "error", *c.error});
      emitCompleted(*b.last, c, fx);
      continue;
    }
    auto archive = ArchiveResult::fromDetail(o.detail);
    c.archiveKey = archive.key;
    c.archiveSha256 = archive.sha256;
    fx.sql().exec_params(
        "UPDATE qr.batches SET status = 'completed', archive_key = $2, archive_sha256 = $3, archive_bytes = $4,"
        " completed_at = clock_timestamp() WHERE batch_id = $1",
        batchId, archive.key, archive.sha256, static_cast<std::int64_t>(archive.bytes));
    redis.command({"HSET", key, "status", "completed", "archiveKey", archive.key});
    emitCompleted(*b.last, c, fx);
    if (!fx.replaying()) {
      nlohmann::json data = {{"batchId", batchId},   {"generated", b.generated}, {"failed", b.failed},
                             {"invalid", b.invalid}, {"archiveKey", archive.key},
                             {"archiveUrl", store_.presignGet(archive.key, settings_.linkTtl)}};
      if (b.reportKey) data["reportUrl"] = store_.presignGet(*b.reportKey, settings_.linkTtl);
      events::NotificationRequested n{b.chunk->ownerId, "email", "bulk-qr.completed", data};
      fx.emitOnce(settings_.notificationsTopic, n.recipientId,
                  batchEvent(*b.last, batchId, "notification", events::NotificationRequested::type, n.toPayload()));
    }
    // The parts were only the archive's material; the recorded archive step never needs them again.
    cleanups.push_back({b.last, "remove-parts", "object-store", "",
                        [this, &b](const OutsideCall&) {
                          try {
                            for (int part : b.parts) store_.remove(objects::chunkPart(b.chunk->ownerId, b.chunk->batchId, part));
                            return StepOutcome::success();
                          } catch (const ObjectStoreError& err) {
                            return err.outcome();
                          }
                        },
                        batchSubject(batchId)});
  }
  // A failed clean-up leaves parts behind, nothing worse: the outcome is not acted on.
  if (!cleanups.empty()) fx.callOutside(cleanups);
}

void BulkQrHandler::emitCompleted(const ConsumedEvent& cause, const events::BulkBatchCompleted& c, Effects& fx) {
  fx.emitOnce(settings_.statusTopic, c.batchId,
              batchEvent(cause, c.batchId, "completed", events::BulkBatchCompleted::type, c.toPayload()));
  fx.redis(cause).publish(events::bulkProgressChannel(c.batchId),
                          nlohmann::json{{"batchId", c.batchId}, {"status", c.status}, {"total", c.total},
                                         {"generated", c.generated}, {"failed", c.failed}}
                              .dump());
}

void BulkQrHandler::rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const {
  for (const auto& row : sql.exec("SELECT batch_id, total_items, invalid_items, chunk_count, chunks_done, generated, failed,"
                                  " status, archive_key, error FROM qr.batches")) {
    auto key = events::bulkProgressKey(row[0].as<std::string>());
    auto status = row[7].as<std::string>();
    std::vector<std::string> hset = {"HSET", key, "total", row[1].as<std::string>(), "invalid", row[2].as<std::string>(),
                                     "chunks", row[3].as<std::string>(), "chunksDone", row[4].as<std::string>(),
                                     "generated", row[5].as<std::string>(), "failed", row[6].as<std::string>(),
                                     "status", status};
    if (!row[8].is_null()) hset.insert(hset.end(), {"archiveKey", row[8].as<std::string>()});
    if (!row[9].is_null()) hset.insert(hset.end(), {"error", row[9].as<std::string>()});
    redis.add(std::move(hset));
    redis.add({"EXPIRE", key, std::to_string(settings_.progressTtlSeconds)});
  }
}

}  // namespace qrfleet::bulkqr
