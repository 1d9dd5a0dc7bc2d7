#include "qrfleet/stores/redis_recovery.h"

#include "qrfleet/stores/redis_keyspace.h"

namespace qrfleet {

RedisRecovery::RedisRecovery(const OffsetStore& offsets, const RedisEffects& marks, std::string prefix, JsonLogger& log)
    : offsets_(offsets), marks_(marks), prefix_(std::move(prefix)), log_(log) {}

void RedisRecovery::check(pqxx::work& txn, const std::set<TopicPartition>& unmarked) const {
  if (unmarked.empty()) return;
  auto stored = offsets_.positions(txn);
  for (const auto& tp : unmarked)
    if (auto it = stored.find(tp); it != stored.end() && it->second >= 0)
      throw RedisStateLost("Redis has no applied-offset mark for " + tp.str() + " but Postgres is at offset " +
                           std::to_string(it->second));
}

std::size_t RedisRecovery::rebuild(pqxx::connection& pg, RedisClient& redis, const BatchHandler& handler) const {
  pqxx::work txn(pg);
  offsets_.lockAgainstCommits(txn);
  auto stored = offsets_.positions(txn);
  std::erase_if(stored, [](const auto& kv) { return kv.second < 0; });
  std::vector<std::string> exists{"EXISTS"};
  for (const auto& [tp, next] : stored) exists.push_back(marks_.markKey(tp));
  if (stored.empty() || redis.command(exists)->integer == static_cast<long long>(stored.size())) return 0;

  log_.warn("Redis lost this service's state; rebuilding it from Postgres", {{"prefix", prefix_}});
  auto removed = RedisKeyspace(redis, prefix_).deleteAll();
  RedisWriteBuffer writes(redis);
  handler.rebuildRedis(txn, writes);
  // Last, so that a rebuild cut short leaves marks missing and is done again.
  for (const auto& [tp, next] : stored) writes.add({"SET", marks_.markKey(tp), std::to_string(next - 1)});
  writes.flush();
  txn.commit();
  log_.warn("Redis state rebuilt from Postgres",
            {{"prefix", prefix_}, {"writes", writes.written()}, {"staleKeysRemoved", removed}});
  return writes.written();
}

}  // namespace qrfleet
