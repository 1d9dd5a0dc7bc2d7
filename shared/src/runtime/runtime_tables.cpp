#include "qrfleet/runtime/runtime_tables.h"

#include "qrfleet/outside/attempt_ledger.h"
#include "qrfleet/runtime/output_ledger.h"
#include "qrfleet/stores/offset_store.h"

namespace qrfleet {

void ensureRuntimeTables(pqxx::connection& conn, const std::string& schema) {
  pqxx::work txn(conn);
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "qrfleet-ddl:" + schema);
  txn.exec("CREATE SCHEMA IF NOT EXISTS " + txn.quote_name(schema));
  for (const auto& ddl : {OffsetStore::ddl(schema), OutputLedger::ddl(schema), AttemptLedger::ddl(schema)})
    for (const auto& statement : ddl) txn.exec(statement);
  txn.commit();
}

std::vector<std::string> runtimeTableNames() {
  return {"schema_migrations", OffsetStore::tableName, OutputLedger::tableName, AttemptLedger::tableName};
}

}  // namespace qrfleet
