#pragma once
#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

namespace qrfleet {

// Remembers which Kafka outputs of a batch (follow-up events, dead letters,
// retry-topic copies) Kafka acknowledged. Outputs are produced before the
// state commits; a batch that runs again (a worker that died between the
// acknowledgement and the commit, a transient store failure, a stale owner,
// the one-by-one isolation after a handler threw) would produce them all
// again: a 1,000-transporter broadcast twice, an event dead-lettered or
// scheduled for retry twice. The runtime records each output's key right after
// the flush, in Postgres but outside the batch's transaction (a rollback must
// not forget it), and leaves recorded outputs out of every later run. Only a
// death inside the flush itself can still leave a duplicate; consumers see the
// same event id then.
//
// Keys: "emit:", "dlq:" and "retry:" followed by <topic>/<partition>/<offset>
// of the message that caused them. Rows older than
// the retention are pruned: a batch is re-run within minutes, not days.
class OutputLedger {
 public:
  OutputLedger(std::string schema, std::string group, std::chrono::hours retention = std::chrono::hours(24 * 7));

  // The table's DDL (idempotent); see ensureRuntimeTables().
  static std::vector<std::string> ddl(const std::string& schema);
  // The keys among `keys` that an earlier run recorded.
  std::set<std::string> delivered(pqxx::connection& conn, const std::set<std::string>& keys) const;
  // Autocommit, on a connection with no open transaction.
  void record(pqxx::connection& conn, const std::set<std::string>& keys);

  static constexpr const char* tableName = "delivered_outputs";

 private:
  std::string table_;
  std::string group_;
  std::chrono::hours retention_;
  std::chrono::steady_clock::time_point lastPrune_{};
};

}  // namespace qrfleet
