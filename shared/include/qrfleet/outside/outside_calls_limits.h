#pragma once
#include <map>
#include <string>

namespace qrfleet {

// Concurrency limits of outside calls: the worker's pool, and a cap per target
// so one slow provider cannot take every thread.
struct OutsideLimits {
  int workerConcurrency = 64;
  int targetConcurrency = 16;
  std::map<std::string, int> perTarget;  // overrides by target name
  int limitOf(const std::string& target) const;
};

}  // namespace qrfleet
