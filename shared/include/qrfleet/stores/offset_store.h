#pragma once
#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "qrfleet/topic_partition.h"

namespace qrfleet {

// Another consumer claimed the partition since we did: this process is a
// zombie for it and must not write (its transaction is rolled back).
class StaleOwner : public std::runtime_error {
 public:
  explicit StaleOwner(const TopicPartition& tp)
      : std::runtime_error("partition " + tp.str() + " was claimed by another consumer"), partition(tp) {}
  TopicPartition partition;
};

// Part of the batch was applied already (its commit succeeded although the
// connection broke before the answer came): the events before `nextOffset`
// must be left out of the retry.
class AlreadyApplied : public std::runtime_error {
 public:
  AlreadyApplied(const TopicPartition& tp, std::int64_t next)
      : std::runtime_error("partition " + tp.str() + " is already applied up to offset " + std::to_string(next)),
        partition(tp), nextOffset(next) {}
  TopicPartition partition;
  std::int64_t nextOffset;
};

struct PartitionClaim {
  std::int64_t nextOffset = -1;  // -1: nothing applied yet, start at the beginning
  std::int64_t epoch = 0;
};

// Consumed offsets kept in the service's own Postgres schema, written in the
// same transaction as the state they describe; that is what makes the
// Postgres effects exactly-once. Each assignment bumps the partition's epoch
// and every write checks it, so a paused or partitioned former owner
// (a zombie) cannot commit after the partition moved.
class OffsetStore {
 public:
  OffsetStore(std::string schema, std::string group, std::string owner);

  // The offsets table's DDL (idempotent); see ensureRuntimeTables().
  static std::vector<std::string> ddl(const std::string& schema);
  static constexpr const char* tableName = "kafka_offsets";

  // Claims the partitions for this consumer and returns where to resume.
  std::map<TopicPartition, PartitionClaim> claim(pqxx::connection& conn, const std::vector<TopicPartition>& parts) const;

  // One partition's share of a batch: offsets [firstOffset, nextOffset) read under `epoch`.
  struct Advance {
    TopicPartition partition;
    std::int64_t firstOffset;
    std::int64_t nextOffset;
    std::int64_t epoch;
  };
  // Records, in one statement for all of a batch's partitions, that everything
  // before each nextOffset is applied. Throws StaleOwner (a partition was claimed
  // by someone else since) or AlreadyApplied (its stored position is past firstOffset).
  void advance(pqxx::work& txn, const std::vector<Advance>& partitions) const;

  // Every stored position of the group (tools, replay, tests).
  std::map<TopicPartition, std::int64_t> positions(pqxx::connection& conn) const;
  std::map<TopicPartition, std::int64_t> positions(pqxx::transaction_base& txn) const;

  // Forgets the group's positions so the next assignment starts from the
  // beginning, or from `start` for the partitions it names. Bumps every
  // epoch, so a consumer still running is fenced off.
  void reset(pqxx::work& txn, const std::map<TopicPartition, std::int64_t>& start = {}) const;

  // Blocks every commit of the group's offsets until `txn` ends (and waits
  // for the commits in flight): a consistent view for rebuilding derived state.
  void lockAgainstCommits(pqxx::work& txn) const;

  const std::string& table() const { return table_; }

 private:
  std::string schema_;
  std::string group_;
  std::string owner_;
  std::string table_;
  std::string advanceStatement_;  // prepared statement name and text of advance()
  std::string advanceSql_;
};

}  // namespace qrfleet
