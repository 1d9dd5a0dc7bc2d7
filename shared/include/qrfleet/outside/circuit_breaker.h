#pragma once
#include <chrono>
#include <functional>
#include <mutex>

namespace qrfleet {

// One provider's circuit: after `failureThreshold` transient failures in a row
// it opens and calls are skipped for `coolDown`; then one call is let through
// (half-open) and its result closes or re-opens the circuit. Thread-safe.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Policy {
    int failureThreshold = 5;
    std::chrono::milliseconds coolDown{30000};
  };
  enum class State { closed, open, halfOpen };

  explicit CircuitBreaker(Policy policy, std::function<Clock::time_point()> now = Clock::now);

  // True: call now (closed, or the one half-open probe once the cool-down is over).
  bool allow();
  void succeeded();
  void failed();
  State state() const;
  // How long until an open circuit lets a probe through (0 unless open).
  std::chrono::milliseconds coolDownLeft() const;

 private:
  Policy policy_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  State state_ = State::closed;
  int failures_ = 0;
  Clock::time_point openedAt_{};
};

}  // namespace qrfleet
