#pragma once
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "qrfleet/outside_step.h"

namespace qrfleet {

// The outcome of every outside step, per (eventId, step), in the service's
// schema (table outside_steps), written outside the batch's transaction as
// soon as a call returns: a batch that rolls back, a worker that is killed, a
// replay, none of them forget that a call was made. A final outcome
// (succeeded, failed permanently) is never overwritten; transient failures
// only count attempts.
class AttemptLedger {
 public:
  explicit AttemptLedger(std::string schema);

  // The table's DDL (idempotent); see ensureRuntimeTables().
  static std::vector<std::string> ddl(const std::string& schema);

  struct Entry {
    StepOutcome outcome;  // meaningful when final
    int attempts = 0;     // calls made so far
  };
  // By key (see key()); steps never tried are absent.
  std::map<std::string, Entry> lookup(pqxx::connection& conn, const std::vector<std::string>& keys) const;

  struct Record {
    std::string key;
    std::string eventId;
    std::string step;
    StepOutcome outcome;
  };
  // One statement for all of them, autocommit.
  void record(pqxx::connection& conn, const std::vector<Record>& records) const;
  // Forgets outcomes recorded more than `retention` ago.
  void prune(pqxx::connection& conn, std::chrono::hours retention) const;

  // The ledger key and the idempotency key a provider gets: a name-based UUID
  // of (eventId, step), the same on every run and every replica.
  static std::string key(const std::string& eventId, const std::string& step);

  static constexpr const char* tableName = "outside_steps";

 private:
  std::string table_;
};

}  // namespace qrfleet
