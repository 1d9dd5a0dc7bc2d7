#include "qrfleet/outside/attempt_ledger.h"

#include "qrfleet/event_id.h"
#include "qrfleet/sql_array.h"
#include "qrfleet/utf8.h"

namespace qrfleet {

namespace {
// Namespace of the idempotency keys (a random v4 UUID, fixed forever).
constexpr std::string_view kStepNamespace = "5d7f3c2e-9b1a-4c6d-8e2f-1a3b5c7d9e0f";

}  // namespace

std::string_view stepStatusName(StepStatus s) {
  switch (s) {
    case StepStatus::succeeded: return "succeeded";
    case StepStatus::failedPermanently: return "failed_permanently";
    case StepStatus::failedTransiently: return "failed_transiently";
    case StepStatus::notCalled: return "not_called";
  }
  return "unknown";
}

AttemptLedger::AttemptLedger(std::string schema) : table_(std::move(schema) + "." + tableName) {}

std::string AttemptLedger::key(const std::string& eventId, const std::string& step) {
  return uuidV5(kStepNamespace, eventId + "/" + step);
}

std::vector<std::string> AttemptLedger::ddl(const std::string& schema) {
  auto table = schema + "." + tableName;
  return {"CREATE TABLE IF NOT EXISTS " + table +
              " (step_key uuid PRIMARY KEY, event_id text NOT NULL, step text NOT NULL,"
              "  status text NOT NULL, detail text NOT NULL DEFAULT '', attempts int NOT NULL,"
              "  first_called_at timestamptz NOT NULL DEFAULT now(), recorded_at timestamptz NOT NULL DEFAULT now())",
          "CREATE INDEX IF NOT EXISTS " + std::string(tableName) + "_recorded_at ON " + table + " (recorded_at)"};
}

std::map<std::string, AttemptLedger::Entry> AttemptLedger::lookup(pqxx::connection& conn,
                                                                  const std::vector<std::string>& keys) const {
  std::map<std::string, Entry> out;
  if (keys.empty()) return out;
  SqlArray list;
  for (const auto& k : keys) list.add(k);
  pqxx::nontransaction tx(conn);
  for (const auto& row : tx.exec_params("SELECT step_key::text, status, detail, attempts FROM " + table_ +
                                            " WHERE step_key = ANY($1::uuid[])",
                                        list.str())) {
    Entry e;
    auto status = row[1].as<std::string>();
    e.outcome.status = status == "succeeded"            ? StepStatus::succeeded
                       : status == "failed_permanently" ? StepStatus::failedPermanently
                                                        : StepStatus::failedTransiently;
    e.outcome.detail = row[2].as<std::string>();
    e.outcome.fromLedger = true;
    e.attempts = row[3].as<int>();
    out.emplace(row[0].as<std::string>(), std::move(e));
  }
  return out;
}

void AttemptLedger::prune(pqxx::connection& conn, std::chrono::hours retention) const {
  pqxx::nontransaction tx(conn);
  tx.exec_params("DELETE FROM " + table_ + " WHERE recorded_at < now() - $1::interval",
                 std::to_string(retention.count()) + " hours");
}

void AttemptLedger::record(pqxx::connection& conn, const std::vector<Record>& records) const {
  if (records.empty()) return;
  // One row per key: a statement may not update the same row twice.
  std::map<std::string, const Record*> last;
  for (const auto& r : records) last[r.key] = &r;
  SqlArray keys, events, steps, statuses, details;
  for (const auto& [k, p] : last) {
    const auto& r = *p;
    keys.add(r.key);
    events.add(r.eventId);
    steps.add(r.step);
    statuses.add(stepStatusName(r.outcome.status));
    // Postgres text: a provider's Latin-1 error page must not make the record fail.
    details.add(utf8Prefix(r.outcome.detail, 2000));
  }
  pqxx::nontransaction tx(conn);
  // A success stays; anything else counts the attempt and takes the later outcome.
  tx.exec_params("INSERT INTO " + table_ + " AS l (step_key, event_id, step, status, detail, attempts)"
                 " SELECT k, e, s, st, d, 1 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])"
                 "   AS i(k, e, s, st, d)"
                 " ON CONFLICT (step_key) DO UPDATE SET status = EXCLUDED.status, detail = EXCLUDED.detail,"
                 "   attempts = l.attempts + 1, recorded_at = now()"
                 " WHERE l.status <> 'succeeded'",
                 keys.str(), events.str(), steps.str(), statuses.str(), details.str());
}

}  // namespace qrfleet
