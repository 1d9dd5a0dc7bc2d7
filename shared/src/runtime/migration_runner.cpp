#include "qrfleet/runtime/migration_runner.h"

#include "qrfleet/hex.h"

#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

namespace qrfleet {

namespace {
std::string sha256(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return toHex(d, sizeof d);
}
std::string baseName(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}
}  // namespace

MigrationRunner::MigrationRunner(std::string schema, std::span<const EmbeddedFile> migrations)
    : schema_(std::move(schema)), migrations_(migrations.begin(), migrations.end()) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const auto& a, const auto& b) { return baseName(a.path) < baseName(b.path); });
}

std::vector<std::string> MigrationRunner::apply(pqxx::connection& conn) const {
  pqxx::work txn(conn);
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "qrfleet-ddl:" + schema_);
  txn.exec("CREATE SCHEMA IF NOT EXISTS " + txn.quote_name(schema_));
  const std::string table = txn.quote_name(schema_) + ".schema_migrations";
  txn.exec("CREATE TABLE IF NOT EXISTS " + table +
           " (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  std::vector<std::string> applied;
  for (const auto& m : migrations_) {
    auto name = baseName(m.path);
    auto sum = sha256(m.content);
    auto r = txn.exec_params("SELECT checksum FROM " + table + " WHERE name = $1", name);
    if (!r.empty()) {
      if (r[0][0].as<std::string>() != sum)
        throw std::runtime_error("migration " + schema_ + "/" + name +
                                 " changed after it was applied; add a new migration instead");
      continue;
    }
    txn.exec("SET LOCAL search_path TO " + txn.quote_name(schema_) + ", public");
    txn.exec(std::string(m.content));
    txn.exec_params("INSERT INTO " + table + " (name, checksum) VALUES ($1, $2)", name, sum);
    applied.push_back(name);
  }
  txn.commit();
  return applied;
}

}  // namespace qrfleet
