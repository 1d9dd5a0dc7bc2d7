#pragma once
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace qrfleet {

// The runtime's own tables in a service's schema: consumed offsets
// (OffsetStore), Kafka outputs delivered (OutputLedger) and outside-call
// outcomes (AttemptLedger). Made together, in one transaction under the
// schema's DDL lock (the one migrations take): CREATE ... IF NOT EXISTS alone
// can race on the catalog when replicas start at once.
void ensureRuntimeTables(pqxx::connection& conn, const std::string& schema);

// Their names and schema_migrations': not state the events make, so digests
// and resets of the service's state leave them out.
std::vector<std::string> runtimeTableNames();

}  // namespace qrfleet
