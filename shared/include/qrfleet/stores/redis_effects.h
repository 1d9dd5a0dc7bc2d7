#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "qrfleet/stores/redis_client.h"
#include "qrfleet/topic_partition.h"

namespace qrfleet {

// The Redis writes of one batch, applied in one MULTI/EXEC together with a
// per-partition applied-offset mark. Writes for offsets at or below the mark
// were applied by an earlier attempt (or another consumer) and are dropped, so
// counters move exactly once however often a batch is re-run.
//
// begin() WATCHes the marks as it reads them; commit() pipelines MULTI, the
// batch's plain commands, the new marks and EXEC in one round trip. If anyone
// moved a mark in between, EXEC applies nothing (optimistic locking), exactly
// like the check-and-set Lua script this replaced, but each command runs as a
// native command (about 1 us) instead of through Lua (measured ~20 us each).
//
// Increments and HyperLogLog adds to the same key are merged, which turns a
// 5,000-event batch into a few hundred Redis commands.
class RedisEffects {
 public:
  RedisEffects(std::string keyPrefix, std::string group, bool announce = true);

  // --- runtime side
  // Reads the marks of the partitions in the batch and clears queued writes.
  void begin(RedisClient& redis, const std::set<TopicPartition>& partitions);
  // Applies the writes and moves the marks to `lastOffsets` if, and only if,
  // no one moved them since begin(). Returns false on that conflict.
  bool commit(RedisClient& redis, const std::map<TopicPartition, std::int64_t>& lastOffsets);
  std::string markKey(const TopicPartition& tp) const;
  // Applied-offset mark as read by begin(); -1 when none.
  std::int64_t appliedUpTo(const TopicPartition& tp) const;
  // The batch's partitions that had no mark at all at begin().
  const std::set<TopicPartition>& unmarked() const { return unmarked_; }

  // --- handler side (through Effects::redis)
  void incrBy(const std::string& key, std::int64_t by);
  void pfAdd(const std::string& key, const std::string& member);
  // XADD key MAXLEN ~ maxLen * field value ...
  void xAdd(const std::string& key, std::int64_t maxLen, const std::vector<std::pair<std::string, std::string>>& fields);
  // Any other write; it must be safe to apply once per event (the mark ensures once).
  void command(std::vector<std::string> argv);
  // PUBLISH, dropped when the effects were made with announce = false (replay).
  void publish(const std::string& channel, const std::string& message);

  std::size_t queuedCommands() const;
  // The queued writes as commands, increments and HyperLogLog adds merged per key (tests, debugging).
  std::vector<std::vector<std::string>> pendingCommands() const;

 private:
  std::string keyPrefix_;
  std::string group_;
  bool announce_;
  std::uint64_t watchedOn_ = 0;  // the connection (RedisClient::connections()) that holds the WATCH
  std::map<TopicPartition, std::int64_t> marks_;
  std::set<TopicPartition> unmarked_;
  // Hashed, not ordered: a batch merges thousands of keys, and the order of
  // commands inside MULTI/EXEC changes nothing. HyperLogLog members are not
  // de-duplicated: PFADD of a member already there changes nothing either.
  std::unordered_map<std::string, std::int64_t> increments_;
  std::unordered_map<std::string, std::vector<std::string>> hllAdds_;
  std::vector<std::vector<std::string>> commands_;
};

}  // namespace qrfleet
