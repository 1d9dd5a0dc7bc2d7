#pragma once
#include <chrono>
#include <random>

namespace qrfleet {

// Exponential backoff with full jitter (AWS architecture blog's variant):
// the n-th wait is uniform in [initial, min(max, initial * 2^n)], so many
// workers hitting a recovering store do not retry in lock step.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace qrfleet
