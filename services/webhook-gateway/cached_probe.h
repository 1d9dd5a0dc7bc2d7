#pragma once
#include <chrono>
#include <functional>
#include <mutex>

namespace qrfleet::webhook {

// A yes/no check answered from its last result for `ttl`, so every replica's
// readiness probes (and any number of concurrent ones) cost the broker at most
// one metadata request per ttl. While one caller refreshes it, the others get
// the previous answer instead of waiting.
class CachedProbe {
 public:
  using Clock = std::chrono::steady_clock;

  CachedProbe(std::function<bool()> check, std::chrono::milliseconds ttl, std::function<Clock::time_point()> now = Clock::now)
      : check_(std::move(check)), ttl_(ttl), now_(std::move(now)) {}

  bool answer();

 private:
  std::function<bool()> check_;
  std::chrono::milliseconds ttl_;
  std::function<Clock::time_point()> now_;
  std::mutex refreshing_;  // held while check_ runs
  std::mutex state_;       // guards the fields below
  bool known_ = false;
  bool last_ = false;
  Clock::time_point checkedAt_{};
};

}  // namespace qrfleet::webhook
