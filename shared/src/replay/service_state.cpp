#include "qrfleet/replay/service_state.h"

#include <algorithm>
#include <set>

#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/runtime/runtime_tables.h"
#include "qrfleet/sql_array.h"
#include "qrfleet/stores/redis_keyspace.h"

namespace qrfleet {


ServiceState::ServiceState(const ServiceDefinition& definition, std::string databaseUrl, std::string redisUrl)
    : def_(definition),
      databaseUrl_(std::move(databaseUrl)),
      redisUrl_(std::move(redisUrl)),
      offsets_(definition.postgresSchema, definition.consumerGroup, "replay") {}

std::vector<std::string> ServiceState::tables(pqxx::transaction_base& txn) const {
  // The runtime's tables are not state the events make. The ledgers survive a
  // reset on purpose: a replay must not make an outside call, or publish an
  // output, that a live run already made.
  SqlArray runtimeTables;
  for (const auto& t : runtimeTableNames()) runtimeTables.add(t);
  // Nor are the tables a service keeps through a replay (templates, audits).
  for (const auto& t : def_.keptTables) runtimeTables.add(t);
  std::vector<std::string> out;
  for (const auto& row : txn.exec_params(
           "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'"
           " AND table_name <> ALL($2::text[]) ORDER BY table_name",
           def_.postgresSchema, runtimeTables.str()))
    out.push_back(row[0].as<std::string>());
  return out;
}

nlohmann::json ServiceState::digest() const {
  nlohmann::json out = nlohmann::json::object();
  pqxx::connection conn(databaseUrl_);
  pqxx::read_transaction txn(conn);
  for (const auto& table : tables(txn)) {
    std::vector<std::string> columns;
    for (const auto& row : txn.exec_params(
             "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
             " ORDER BY ordinal_position",
             def_.postgresSchema, table)) {
      auto column = row[0].as<std::string>();
      if (std::find(def_.volatileColumns.begin(), def_.volatileColumns.end(), table + "." + column) ==
          def_.volatileColumns.end())
        columns.push_back(txn.quote_name(column));
    }
    std::string row = "ROW(";
    for (std::size_t i = 0; i < columns.size(); ++i) row += (i ? ", " : "") + columns[i];
    row += ")::text";
    // Order-independent: the md5 of the sorted row hashes.
    auto r = txn.exec1("SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT md5(" + row +
                       ") AS h FROM " + txn.quote_name(def_.postgresSchema) + "." + txn.quote_name(table) + ") t");
    out["postgres:" + table] = r[1].as<std::string>() + " (" + r[0].as<std::string>() + " rows)";
  }
  // A retry topic is written by the run itself: an event that waited in one
  // run and not in the other (its partitions interleaved otherwise: a refund
  // before its payment) leaves one copy more there, and the state converges
  // all the same. Its positions are the run's bookkeeping, not state.
  auto retryList = retryTopicsOf(def_);
  std::set<std::string> retryTopics(retryList.begin(), retryList.end());
  nlohmann::json offsets = nlohmann::json::object();
  try {
    for (const auto& [tp, next] : offsets_.positions(txn))
      if (!retryTopics.count(tp.topic)) offsets[tp.str()] = next;
  } catch (const pqxx::undefined_table&) {
  }
  out["offsets"] = offsets;
  if (def_.redisPrefix.empty()) return out;
  RedisClient redis(redisUrl_);
  auto skip = def_.interleavingDependentKeys;
  skip.push_back("ratelimit:*");  // RedisRateLimiter: live calls only
  for (const auto& t : retryTopics) skip.push_back("offsets:*:" + t + ":*");  // the applied-offset marks (RedisEffects)
  auto d = RedisKeyspace(redis, def_.redisPrefix).digest(skip);
  out["redis"] = d.sha256 + " (" + std::to_string(d.keys) + " keys)";
  return out;
}

void ServiceState::reset(const std::map<TopicPartition, std::int64_t>& start) const {
  pqxx::connection conn(databaseUrl_);
  ensureRuntimeTables(conn, def_.postgresSchema);
  pqxx::work txn(conn);
  auto all = tables(txn);
  if (!all.empty()) {
    std::string list;
    for (const auto& t : all) list += (list.empty() ? "" : ", ") + txn.quote_name(def_.postgresSchema) + "." + txn.quote_name(t);
    txn.exec("TRUNCATE " + list);
  }
  offsets_.reset(txn, start);
  txn.commit();
  // After the commit: a worker still running is fenced off by the new epochs
  // before its Redis writes could land on the emptied keyspace.
  if (def_.redisPrefix.empty()) return;
  RedisClient redis(redisUrl_);
  RedisKeyspace(redis, def_.redisPrefix).deleteAll();
}

std::vector<std::string> ServiceState::differences(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::string> out;
  for (const auto& [k, v] : before.items())
    if (!after.contains(k)) out.push_back(k + ": before " + v.dump() + ", missing after");
    else if (after[k] != v) out.push_back(k + ": before " + v.dump() + ", after " + after[k].dump());
  for (const auto& [k, v] : after.items())
    if (!before.contains(k)) out.push_back(k + ": new after, " + v.dump());
  return out;
}

}  // namespace qrfleet
