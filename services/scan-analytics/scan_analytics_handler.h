#pragma once
#include <span>
#include <string>

#include "qrfleet/batch_handler.h"
#include "qrfleet/events/scan_recorded.h"
#include "qrfleet/sql_array.h"
#include "scan_batch_totals.h"
#include "scan_enricher.h"

namespace qrfleet::scan {

struct ScanAnalyticsOptions {
  int burstThreshold = 10;        // scans per visitor, QR and minute before the rest are suspicious
  int liveFeedLength = 1000;      // approximate cap of each owner's live stream
  int dayKeyTtlDays = 90;         // Redis per-day keys expire after this many days
  std::string redisPrefix;         // the service's, from its definition
};

// Turns a batch of scans into the analytics read models: Postgres rows
// (raw events, daily/hourly counts, exact unique visitors, dimensions, burst
// flags) and Redis counters, HyperLogLogs and live feeds. An event id seen
// before changes nothing (a re-sent event counts once).
class ScanAnalyticsHandler : public BatchHandler {
 public:
  ScanAnalyticsHandler(ScanEnricher enricher, ScanAnalyticsOptions options);
  void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const override;
  // The route of analytics-events.
  void apply(std::span<const Decoded<events::ScanRecorded>> scans, Effects& effects);

 private:
  static void applyTotals(pqxx::work& txn, const ScanBatchTotals& totals, const SqlArray& suspiciousIds);
  void applyRedis(std::span<const Decoded<events::ScanRecorded>> scans, const std::vector<ScanFacts>& facts,
                  const std::vector<bool>& isNew, const std::vector<bool>& suspicious, Effects& effects) const;

  ScanEnricher enricher_;
  ScanAnalyticsOptions options_;
};

}  // namespace qrfleet::scan
