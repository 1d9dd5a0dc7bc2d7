#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "qrfleet/stores/offset_store.h"
#include "qrfleet/service_definition.h"

namespace qrfleet {

// A service's whole state: the tables of its Postgres schema, its Redis keys
// and its stored offsets. What `qrfleet replay` resets and verifies.
class ServiceState {
 public:
  ServiceState(const ServiceDefinition& definition, std::string databaseUrl, std::string redisUrl);

  // A fingerprint per table ("postgres:<table>": md5 of its rows, volatile
  // columns left out), "redis" (see RedisKeyspace::digest), "redis-keys" and
  // "offsets" (the group's next offsets). Equal digests = equal state.
  nlohmann::json digest() const;

  // Empties every table but the migration history, deletes every Redis key of
  // the prefix, and resets the group's offsets (to `start` where given, else
  // to the beginning) with new epochs.
  void reset(const std::map<TopicPartition, std::int64_t>& start) const;

  // Lines naming what differs between two digests; empty when equal.
  static std::vector<std::string> differences(const nlohmann::json& before, const nlohmann::json& after);

 private:
  std::vector<std::string> tables(pqxx::transaction_base& txn) const;
  const ServiceDefinition& def_;
  std::string databaseUrl_;
  std::string redisUrl_;
  OffsetStore offsets_;
};

}  // namespace qrfleet
