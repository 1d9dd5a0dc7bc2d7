#include "qrfleet/outside/redis_rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace qrfleet {

namespace {
// KEYS[1] bucket; ARGV rate per ms, burst. Returns 0 (taken) or ms until a token.
constexpr const char* kTakeToken = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return wait
)lua";
}  // namespace

RedisRateLimiter::RedisRateLimiter(std::string redisUrl, std::string keyPrefix)
    : keyPrefix_(std::move(keyPrefix)), redis_(std::move(redisUrl)) {}

std::chrono::milliseconds RedisRateLimiter::tryTake(const std::string& bucket, Limit limit) {
  if (limit.perSecond <= 0 || limit.burst < 1) throw std::invalid_argument("rate limit needs perSecond > 0 and burst >= 1");
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.12g", limit.perSecond / 1000.0);
  std::lock_guard lock(mutex_);
  auto r = redis_.eval(kTakeToken, {keyPrefix_ + ":ratelimit:" + bucket}, {rate, std::to_string(limit.burst)});
  return std::chrono::milliseconds(r->integer);
}

std::chrono::milliseconds RedisRateLimiter::acquire(const std::string& bucket, Limit limit,
                                                    std::chrono::milliseconds maxWait) {
  auto deadline = std::chrono::steady_clock::now() + maxWait;
  for (;;) {
    auto wait = tryTake(bucket, limit);
    if (wait.count() == 0) return wait;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (wait > left) return wait;
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace qrfleet
