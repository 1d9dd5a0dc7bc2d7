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

SmtpClient& OutsideKit::smtp() {
  std::lock_guard lock(mutex_);
  if (!smtp_) smtp_ = std::make_unique<SmtpClient>(metrics_);
  return *smtp_;
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

ObjectStore& OutsideKit::objectStore(EnvConfig& config) {
  auto& client = http();
  std::lock_guard lock(mutex_);
  if (!objectStore_) {
    auto settings = objectStoreSettings(config);
    config.finish();  // the store is made now: its settings must be good
    try {
      objectStore_ = makeObjectStore(settings, client);
    } catch (const ObjectStoreError& e) {
      config.invalid("OBJECT_STORE_URL", std::string("the store cannot be used: ") + e.what());
      config.finish();
      throw;
    }
  }
  return *objectStore_;
}

}  // namespace qrfleet
