#include "qrfleet/outside/provider_failover.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace qrfleet {

ProviderFailover::ProviderFailover(std::string name, std::vector<std::string> providers, CircuitBreaker::Policy policy,
                                   RuntimeMetrics& metrics)
    : name_(std::move(name)),
      open_(metrics.gauges("qrfleet_outside_circuit_open", "1 while a provider's circuit is open or half-open (calls go to the next provider)")),
      failovers_(metrics.counters("qrfleet_outside_failovers_total", "Calls that went past a provider (circuit open, or a transient failure)")) {
  if (providers.empty()) throw std::invalid_argument("ProviderFailover '" + name_ + "' needs a provider");
  for (auto& p : providers) {
    providers_.push_back({std::move(p), std::make_unique<CircuitBreaker>(policy)});
    publishState(providers_.back());
  }
}

void ProviderFailover::publishState(const Provider& p) {
  open_.Add({{"failover", name_}, {"provider", p.name}})
      .Set(p.breaker->state() == CircuitBreaker::State::closed ? 0.0 : 1.0);
}

StepOutcome ProviderFailover::call(const std::function<StepOutcome(const std::string& provider)>& attempt) {
  std::optional<StepOutcome> lastFailure;
  for (auto& p : providers_) {
    if (!p.breaker->allow()) {
      failovers_.Add({{"failover", name_}, {"provider", p.name}, {"reason", "circuit_open"}}).Increment();
      continue;
    }
    StepOutcome outcome;
    try {
      outcome = attempt(p.name);
    } catch (...) {
      p.breaker->failed();  // a half-open probe must end, or the circuit stays shut
      publishState(p);
      throw;
    }
    outcome.detail = p.name + ": " + outcome.detail;
    if (outcome.status == StepStatus::failedTransiently) {
      p.breaker->failed();
      publishState(p);
      // After a timeout or a 500 the provider may have acted: the next
      // provider would deliver a second time. Retry later instead (by then
      // this circuit may be open, and the next provider takes the call).
      if (!outcome.notDelivered) return outcome;
      failovers_.Add({{"failover", name_}, {"provider", p.name}, {"reason", "failed"}}).Increment();
      lastFailure = std::move(outcome);
      continue;
    }
    // A permanent refusal is about the request, not the provider's health.
    p.breaker->succeeded();
    publishState(p);
    return outcome;
  }
  if (lastFailure) return *lastFailure;
  auto wait = std::chrono::milliseconds::max();
  for (const auto& p : providers_) wait = std::min(wait, p.breaker->coolDownLeft());
  if (wait == std::chrono::milliseconds::max()) wait = {};
  return StepOutcome::transient(name_ + ": every provider's circuit is open", wait);
}

CircuitBreaker::State ProviderFailover::state(const std::string& provider) const {
  for (const auto& p : providers_)
    if (p.name == provider) return p.breaker->state();
  throw std::invalid_argument("ProviderFailover '" + name_ + "' has no provider '" + provider + "'");
}

}  // namespace qrfleet
