#include "qrfleet/stores/offset_store.h"

#include "qrfleet/sql_array.h"

namespace qrfleet {

OffsetStore::OffsetStore(std::string schema, std::string group, std::string owner)
    : schema_(std::move(schema)), group_(std::move(group)), owner_(std::move(owner)),
      table_(schema_ + "." + tableName), advanceStatement_("qrfleet_advance_" + schema_),
      // Rows are locked in key order (no deadlock with a concurrent claim); a row
      // whose epoch moved on is not returned: its partition is no longer ours.
      advanceSql_("WITH input AS (SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[])"
                  "                 AS i(topic, partition, next_offset, epoch)),"
                  " before AS (SELECT o.topic, o.partition, o.next_offset FROM " + table_ + " o JOIN input i"
                  "            ON o.topic = i.topic AND o.partition = i.partition AND o.epoch = i.epoch"
                  "            WHERE o.consumer_group = $1 ORDER BY o.topic, o.partition FOR UPDATE OF o)"
                  " UPDATE " + table_ + " o SET next_offset = i.next_offset, updated_at = now()"
                  " FROM input i JOIN before b ON b.topic = i.topic AND b.partition = i.partition"
                  " WHERE o.consumer_group = $1 AND o.topic = i.topic AND o.partition = i.partition"
                  " RETURNING o.topic, o.partition, b.next_offset") {}

std::vector<std::string> OffsetStore::ddl(const std::string& schema) {
  return {"CREATE TABLE IF NOT EXISTS " + schema + "." + tableName +
          " (consumer_group text NOT NULL, topic text NOT NULL, partition int NOT NULL,"
          "  next_offset bigint NOT NULL, epoch bigint NOT NULL DEFAULT 0, owner text,"
          "  updated_at timestamptz NOT NULL DEFAULT now(),"
          "  PRIMARY KEY (consumer_group, topic, partition))"};
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

void OffsetStore::advance(pqxx::work& txn, const std::vector<Advance>& partitions) const {
  if (partitions.empty()) return;
  SqlArray topics, numbers, nexts, epochs;
  for (const auto& a : partitions) {
    topics.add(a.partition.topic);
    numbers.add(static_cast<std::int64_t>(a.partition.partition));
    nexts.add(a.nextOffset);
    epochs.add(a.epoch);
  }
  // Prepared on first use on each connection (later calls only look it up).
  txn.conn().prepare(advanceStatement_, advanceSql_);
  auto rows = txn.exec_prepared(advanceStatement_, group_, topics.str(), numbers.str(), nexts.str(), epochs.str());
  std::map<TopicPartition, std::int64_t> before;
  for (const auto& row : rows)
    before[TopicPartition{row[0].as<std::string>(), row[1].as<std::int32_t>()}] = row[2].as<std::int64_t>();
  for (const auto& a : partitions) {
    auto it = before.find(a.partition);
    if (it == before.end()) throw StaleOwner(a.partition);
    if (it->second > a.firstOffset) throw AlreadyApplied(a.partition, it->second);
  }
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
