#pragma once
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/outside/outside_kit.h"

namespace qrfleet::caller {

struct CallerSettings {
  std::vector<std::pair<std::string, std::string>> providers;  // name, base URL, in order of preference
  std::string token;                                           // the providers' bearer token (secret)
  std::chrono::milliseconds timeout{2000};
  CircuitBreaker::Policy circuit;
  std::optional<RedisRateLimiter::Limit> rateLimit;  // shared by every replica
  std::chrono::milliseconds rateLimitMaxWait{1000};
  std::string instance;
  bool orderByKey = false;  // one Kafka key's calls one after another, stopping at a failure
  std::set<std::int64_t> throwOnce;          // the handler throws after the calls, once per process
  std::set<std::int64_t> refuseCommitOnce;   // the batch's commit is refused once per process
};

// A test-only worker that calls an HTTP provider for every `probe.step` event:
// one outside step per event ("send:message:<n>") through the failover of
// providers, under the shared rate limit; successes are recorded in
// caller.delivered, refusals dead-lettered, transient failures retried later.
class CallerHandler : public BatchHandler {
 public:
  CallerHandler(CallerSettings settings, OutsideKit& outside);
  // The route of caller-steps.
  void handle(std::span<const ConsumedEvent> events, Effects& effects);

 private:
  StepOutcome send(int n, const OutsideCall& call);
  bool firstTime(std::set<int>& done, int n);

  CallerSettings settings_;
  OutsideKit& outside_;
  ProviderFailover& failover_;
  std::map<std::string, std::string> urls_;
  std::set<int> thrown_;
  std::set<int> refused_;
};

}  // namespace qrfleet::caller
