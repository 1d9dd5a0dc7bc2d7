#include "qrfleet/runtime/output_ledger.h"

#include "qrfleet/sql_array.h"

namespace qrfleet {

OutputLedger::OutputLedger(std::string schema, std::string group, std::chrono::hours retention)
    : table_(schema + "." + tableName), group_(std::move(group)), retention_(retention) {}

std::vector<std::string> OutputLedger::ddl(const std::string& schema) {
  return {"CREATE TABLE IF NOT EXISTS " + schema + "." + tableName +
          " (consumer_group text NOT NULL, output_key text NOT NULL,"
          "  recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer_group, output_key))"};
}

std::set<std::string> OutputLedger::delivered(pqxx::connection& conn, const std::set<std::string>& keys) const {
  std::set<std::string> out;
  if (keys.empty()) return out;
  SqlArray list;
  for (const auto& k : keys) list.add(k);
  pqxx::nontransaction tx(conn);
  for (const auto& row : tx.exec_params("SELECT output_key FROM " + table_ +
                                            " WHERE consumer_group = $1 AND output_key = ANY($2::text[])",
                                        group_, list.str()))
    out.insert(row[0].as<std::string>());
  return out;
}

void OutputLedger::record(pqxx::connection& conn, const std::set<std::string>& keys) {
  if (keys.empty()) return;
  SqlArray list;
  for (const auto& k : keys) list.add(k);
  pqxx::nontransaction tx(conn);
  tx.exec_params("INSERT INTO " + table_ + " (consumer_group, output_key) SELECT $1, unnest($2::text[])"
                 " ON CONFLICT DO NOTHING",
                 group_, list.str());
  auto now = std::chrono::steady_clock::now();
  if (now - lastPrune_ > std::chrono::hours(1)) {
    lastPrune_ = now;
    tx.exec_params("DELETE FROM " + table_ + " WHERE consumer_group = $1 AND recorded_at < now() - $2::interval",
                   group_, std::to_string(retention_.count()) + " hours");
  }
}

}  // namespace qrfleet
