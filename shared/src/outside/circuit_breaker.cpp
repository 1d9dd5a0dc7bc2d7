#include "qrfleet/outside/circuit_breaker.h"

namespace qrfleet {

CircuitBreaker::CircuitBreaker(Policy policy, std::function<Clock::time_point()> now)
    : policy_(policy), now_(std::move(now)) {}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::closed: return true;
    case State::halfOpen:
      // The probe is out; one that never reported back (its caller died) is
      // replaced after a cool-down.
      if (now_() - openedAt_ < policy_.coolDown) return false;
      openedAt_ = now_();
      return true;
    case State::open:
      if (now_() - openedAt_ < policy_.coolDown) return false;
      state_ = State::halfOpen;
      openedAt_ = now_();  // when the probe went out
      return true;
  }
  return false;
}

void CircuitBreaker::succeeded() {
  std::lock_guard lock(mutex_);
  state_ = State::closed;
  failures_ = 0;
}

void CircuitBreaker::failed() {
  std::lock_guard lock(mutex_);
  ++failures_;
  if (state_ == State::halfOpen || failures_ >= policy_.failureThreshold) {
    state_ = State::open;
    openedAt_ = now_();
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::chrono::milliseconds CircuitBreaker::coolDownLeft() const {
  std::lock_guard lock(mutex_);
  if (state_ != State::open) return {};
  auto left = policy_.coolDown - std::chrono::duration_cast<std::chrono::milliseconds>(now_() - openedAt_);
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

}  // namespace qrfleet
