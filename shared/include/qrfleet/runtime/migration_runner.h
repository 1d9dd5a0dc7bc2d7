#pragma once
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <vector>

#include "qrfleet/embedded_file.h"

namespace qrfleet {

// Applies a service's SQL migrations (files named NNN_description.sql, in
// name order) to its own schema, recording each in <schema>.schema_migrations.
// All of it runs in one transaction under an advisory lock, so replicas that
// start together apply each migration exactly once, and a failed migration
// leaves nothing half-done. A migration edited after it was applied is an
// error, not a silent divergence.
class MigrationRunner {
 public:
  MigrationRunner(std::string schema, std::span<const EmbeddedFile> migrations);

  // Returns the names of the migrations applied now (empty when up to date).
  std::vector<std::string> apply(pqxx::connection& conn) const;

 private:
  std::string schema_;
  std::vector<EmbeddedFile> migrations_;
};

}  // namespace qrfleet
