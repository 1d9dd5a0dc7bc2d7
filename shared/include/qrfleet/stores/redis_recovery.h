#pragma once
#include <set>
#include <stdexcept>

#include "qrfleet/batch_handler.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/stores/offset_store.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/stores/redis_effects.h"

namespace qrfleet {

// Redis lost the service's state: applied-offset marks are missing for
// partitions whose offsets Postgres has moved (a cache restarted without
// persistence, a FLUSHALL, a failover to an empty replica).
class RedisStateLost : public RedisError {
 public:
  using RedisError::RedisError;
};

// Rebuilds a service's Redis state from Postgres when it was lost. With every
// offset commit of the group blocked (so Postgres and the marks agree), it
// empties the prefix, lets the handler write the state from its tables, and
// sets each partition's mark to its stored offset. Several lanes or replicas
// may notice at once: the first rebuilds, the others find the marks back.
class RedisRecovery {
 public:
  RedisRecovery(const OffsetStore& offsets, const RedisEffects& marks, std::string prefix, JsonLogger& log);

  // Throws RedisStateLost when `unmarked` holds a partition Postgres has offsets for.
  void check(pqxx::work& txn, const std::set<TopicPartition>& unmarked) const;
  // Returns the number of Redis writes made (0 when someone else rebuilt first).
  std::size_t rebuild(pqxx::connection& pg, RedisClient& redis, const BatchHandler& handler) const;

 private:
  const OffsetStore& offsets_;
  const RedisEffects& marks_;
  std::string prefix_;
  JsonLogger& log_;
};

}  // namespace qrfleet
