#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/outside/circuit_breaker.h"
#include "qrfleet/outside_step.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

// Providers of one kind of call in order of preference (e.g. push via A, else
// B), each behind its own circuit breaker. A call goes to the first provider
// whose circuit lets it; a transient failure counts against that provider; if
// it certainly did not reach the provider (StepOutcome::notDelivered: no
// connection, 429, 503) the next provider is tried at once, otherwise (a
// timeout, a 500: it may have been acted on) the call fails transiently and
// its retry goes wherever the circuits then send it. A success or a permanent
// failure ends the call. With every circuit open the call fails transiently,
// retryAfter the shortest cool-down left. Shared by every lane of a worker (thread-safe); state is per
// process: each replica learns a provider is down on its own.
class ProviderFailover {
 public:
  ProviderFailover(std::string name, std::vector<std::string> providers, CircuitBreaker::Policy policy,
                   RuntimeMetrics& metrics);

  // `attempt` makes the call through the provider it is given. The outcome's
  // detail starts with "<provider>: ".
  StepOutcome call(const std::function<StepOutcome(const std::string& provider)>& attempt);

  CircuitBreaker::State state(const std::string& provider) const;
  const std::string& name() const { return name_; }

 private:
  struct Provider {
    std::string name;
    std::unique_ptr<CircuitBreaker> breaker;
  };
  void publishState(const Provider& p);

  std::string name_;
  std::vector<Provider> providers_;
  prometheus::Family<prometheus::Gauge>& open_;
  prometheus::Family<prometheus::Counter>& failovers_;
};

}  // namespace qrfleet
