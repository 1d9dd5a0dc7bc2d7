#pragma once
#include <chrono>
#include <set>
#include <string>

#include "qrfleet/redis_client.h"

namespace qrfleet {

// Remembers, per causing event, that Kafka acknowledged its follow-up events.
// Outputs are produced before the state commits; a worker that dies between
// the acknowledgement and the commit re-runs the batch, and without this it
// would produce them all again (same ids, so consumers would de-duplicate, but
// a 1,000-transporter broadcast would sit in the topic twice). The runtime
// records the causes (the envelopes' causationId) right after the flush and
// skips their follow-ups on a re-run. Only a death inside the flush itself
// can still leave duplicates. Keys: <prefix>:emitted:<causationId>, kept `ttl`.
class EmitLedger {
 public:
  explicit EmitLedger(std::string keyPrefix, std::chrono::seconds ttl = std::chrono::hours(24));
  // The causes among `causes` whose follow-ups an earlier attempt delivered.
  std::set<std::string> delivered(RedisClient& redis, const std::set<std::string>& causes) const;
  void record(RedisClient& redis, const std::set<std::string>& causes) const;

 private:
  std::string key(const std::string& cause) const { return keyPrefix_ + ":emitted:" + cause; }
  std::string keyPrefix_;
  std::chrono::seconds ttl_;
};

}  // namespace qrfleet
