#include "qrfleet/outside/outside_kit.h"

#include <stdexcept>

namespace qrfleet {

OutsideKit::OutsideKit(std::string redisUrl, std::string redisPrefix, RuntimeMetrics& metrics)
    : redisUrl_(std::move(redisUrl)), redisPrefix_(std::move(redisPrefix)), metrics_(metrics) {}

HttpClient& OutsideKit::http() {
  std::lock_guard lock(mutex_);
  if (!http_) http_ = std::make_unique<HttpClient>(metrics_);
  return *http_;
}

ProviderFailover& OutsideKit::failover(const std::string& name, const std::vector<std::string>& providers,
                                       CircuitBreaker::Policy policy) {
  std::lock_guard lock(mutex_);
  auto& f = failovers_[name];
  if (!f) f = std::make_unique<ProviderFailover>(name, providers, policy, metrics_);
  return *f;
}

RedisRateLimiter& OutsideKit::rateLimiter() {
  std::lock_guard lock(mutex_);
  if (redisPrefix_.empty())
    throw std::logic_error("OutsideKit::rateLimiter: shared rate limits live in Redis; declare a Redis prefix");
  if (!rateLimiter_) rateLimiter_ = std::make_unique<RedisRateLimiter>(redisUrl_, redisPrefix_);
  return *rateLimiter_;
}

ObjectStore& OutsideKit::objectStore(const ObjectStoreSettings& settings) {
  auto& client = http();
  std::lock_guard lock(mutex_);
  if (!objectStore_) objectStore_ = makeObjectStore(settings, client);
  return *objectStore_;
}

}  // namespace qrfleet
