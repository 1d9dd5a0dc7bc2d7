#include "qrfleet/runtime/backoff.h"

#include <algorithm>

namespace qrfleet {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(initial), max_(std::max(max, initial)), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  auto ceiling = initial_.count() << std::min(attempt_, 20);
  ceiling = std::min<long>(ceiling, max_.count());
  ++attempt_;
  std::uniform_int_distribution<long> dist(initial_.count(), std::max<long>(ceiling, initial_.count()));
  return std::chrono::milliseconds(dist(rng_));
}

}  // namespace qrfleet
