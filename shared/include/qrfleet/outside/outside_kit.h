#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "qrfleet/outside/circuit_breaker.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/object_store_config.h"
#include "qrfleet/outside/provider_failover.h"
#include "qrfleet/outside/redis_rate_limiter.h"
#include "qrfleet/outside/smtp_client.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

// The clients a worker calls the outside world with, one of each per process
// and shared by every lane (a handler factory runs once per lane, so a
// circuit or a connection pool made there would be per lane). Made on first use.
class OutsideKit {
 public:
  OutsideKit(std::string redisUrl, std::string redisPrefix, RuntimeMetrics& metrics);

  HttpClient& http();
  SmtpClient& smtp();
  // The failover called `name`, made on the first call with these providers and policy.
  ProviderFailover& failover(const std::string& name, const std::vector<std::string>& providers,
                             CircuitBreaker::Policy policy = {});
  // Token buckets shared by every replica; needs the service's Redis.
  RedisRateLimiter& rateLimiter();
  // The object store of OBJECT_STORE_URL and S3_* (declare objectStoreOptions()),
  // made on the first call. Bad settings, or a store that cannot be used (a
  // directory it cannot create, a bucket it cannot make), throw ConfigError
  // naming OBJECT_STORE_URL, with every problem `config` has found so far.
  ObjectStore& objectStore(EnvConfig& config);

 private:
  std::string redisUrl_;
  std::string redisPrefix_;
  RuntimeMetrics& metrics_;
  std::mutex mutex_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<SmtpClient> smtp_;
  std::map<std::string, std::unique_ptr<ProviderFailover>> failovers_;
  std::unique_ptr<RedisRateLimiter> rateLimiter_;
  std::unique_ptr<ObjectStore> objectStore_;
};

}  // namespace qrfleet
