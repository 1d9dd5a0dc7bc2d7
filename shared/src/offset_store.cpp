#include "qrfleet/offset_store.h"

namespace qrfleet {

OffsetStore::OffsetStore(std::string schema, std::string group, std::string owner)
    : schema_(std::move(schema)), group_(std::move(group)), owner_(std::move(owner)),
      table_(schema_ + ".kafka_offsets") {}

void OffsetStore::ensureTable(pqxx::connection& conn) const {
  pqxx::work txn(conn);
  // Serialise concurrent first starts: CREATE ... IF NOT EXISTS alone can race on the catalog.
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "qrfleet-ddl:" + schema_);
  txn.exec("CREATE SCHEMA IF NOT EXISTS " + txn.quote_name(schema_));
  txn.exec("CREATE TABLE IF NOT EXISTS " + table_ +
           " (consumer_group text NOT NULL, topic text NOT NULL, partition int NOT NULL,"
           "  next_offset bigint NOT NULL, epoch bigint NOT NULL DEFAULT 0, owner text,"
           "  updated_at timestamptz NOT NULL DEFAULT now(),"
           "  PRIMARY KEY (consumer_group, topic, partition))");
  txn.commit();
}

std::map<TopicPartition, PartitionClaim> OffsetStore::claim(pqxx::connection& conn,
                                                            const std::vector<TopicPartition>& parts) const {
  std::map<TopicPartition, PartitionClaim> out;
  if (parts.empty()) return out;
  pqxx::work txn(conn);
  for (const auto& tp : parts) {
    auto r = txn.exec_params1(
        "INSERT INTO " + table_ +
            " AS o (consumer_group, topic, partition, next_offset, epoch, owner) VALUES ($1, $2, $3, -1, 1, $4)"
            " ON CONFLICT (consumer_group, topic, partition) DO UPDATE"
            " SET epoch = o.epoch + 1, owner = EXCLUDED.owner, updated_at = now()"
            " RETURNING next_offset, epoch",
        group_, tp.topic, tp.partition, owner_);
    out[tp] = PartitionClaim{r[0].as<std::int64_t>(), r[1].as<std::int64_t>()};
  }
  txn.commit();
  return out;
}

void OffsetStore::advance(pqxx::work& txn, const TopicPartition& tp, std::int64_t firstOffset,
                          std::int64_t nextOffset, std::int64_t epoch) const {
  auto r = txn.exec_params("WITH before AS (SELECT next_offset FROM " + table_ +
                               " WHERE consumer_group = $2 AND topic = $3 AND partition = $4 AND epoch = $5 FOR UPDATE)"
                               " UPDATE " + table_ + " o SET next_offset = $1, updated_at = now() FROM before"
                               " WHERE o.consumer_group = $2 AND o.topic = $3 AND o.partition = $4 AND o.epoch = $5"
                               " RETURNING before.next_offset",
                           nextOffset, group_, tp.topic, tp.partition, epoch);
  if (r.size() != 1) throw StaleOwner(tp);
  auto before = r[0][0].as<std::int64_t>();
  if (before > firstOffset) throw AlreadyApplied(tp, before);
}

std::map<TopicPartition, std::int64_t> OffsetStore::positions(pqxx::connection& conn) const {
  pqxx::read_transaction txn(conn);
  return positions(txn);
}

std::map<TopicPartition, std::int64_t> OffsetStore::positions(pqxx::transaction_base& txn) const {
  std::map<TopicPartition, std::int64_t> out;
  for (const auto& row :
       txn.exec_params("SELECT topic, partition, next_offset FROM " + table_ + " WHERE consumer_group = $1", group_))
    out[TopicPartition{row[0].as<std::string>(), row[1].as<std::int32_t>()}] = row[2].as<std::int64_t>();
  return out;
}

void OffsetStore::reset(pqxx::work& txn, const std::map<TopicPartition, std::int64_t>& start) const {
  // Keep the rows (and bump epochs) so a still-running consumer is fenced off.
  txn.exec_params("UPDATE " + table_ + " SET next_offset = -1, epoch = epoch + 1, updated_at = now()"
                  " WHERE consumer_group = $1", group_);
  for (const auto& [tp, offset] : start)
    txn.exec_params("INSERT INTO " + table_ + " AS o (consumer_group, topic, partition, next_offset, epoch)"
                    " VALUES ($1, $2, $3, $4, 1) ON CONFLICT (consumer_group, topic, partition) DO UPDATE"
                    " SET next_offset = EXCLUDED.next_offset",
                    group_, tp.topic, tp.partition, offset);
}

void OffsetStore::lockAgainstCommits(pqxx::work& txn) const {
  // SHARE conflicts with the ROW EXCLUSIVE lock of advance()'s UPDATE.
  txn.exec("LOCK TABLE " + table_ + " IN SHARE MODE");
}

}  // namespace qrfleet
