#pragma once
#include <chrono>
#include <mutex>
#include <string>

#include "qrfleet/stores/redis_client.h"

namespace qrfleet {

// Token buckets in Redis, so a limit holds across every replica of a worker:
// per provider ("push-api": 100/s) and per key ("sms:+4915...": 1/min). The
// bucket refills continuously at `perSecond` up to `burst`; taking a token is
// one Lua script on Redis's clock (replicas' clocks do not matter).
// Keys: <prefix>:ratelimit:<bucket>, expiring once full again.
// Thread-safe (one connection, calls serialised: each is one short script).
class RedisRateLimiter {
 public:
  struct Limit {
    double perSecond = 1;
    double burst = 1;
  };

  RedisRateLimiter(std::string redisUrl, std::string keyPrefix);

  // Takes a token, waiting for one up to `maxWait`. Returns zero when it took
  // one; otherwise how long until one is due (nothing was taken): report the
  // call as a transient failure with that retryAfter.
  std::chrono::milliseconds acquire(const std::string& bucket, Limit limit,
                                    std::chrono::milliseconds maxWait = std::chrono::milliseconds(0));

 private:
  // One attempt: 0 when taken, else the wait until a token is due.
  std::chrono::milliseconds tryTake(const std::string& bucket, Limit limit);

  std::string keyPrefix_;
  std::mutex mutex_;
  RedisClient redis_;
};

}  // namespace qrfleet
