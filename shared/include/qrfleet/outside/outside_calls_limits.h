#pragma once
#include <chrono>
#include <map>
#include <string>

namespace qrfleet {

// Concurrency limits of outside calls: the worker's pool, and a cap per target
// so one slow provider cannot take every thread.
struct OutsideLimits {
  int workerConcurrency = 64;
  int targetConcurrency = 16;
  std::map<std::string, int> perTarget;  // overrides by target name
  // How long recorded outcomes are kept: at least as long as any topic they
  // come from can be replayed (a replay hands them back instead of calling).
  std::chrono::hours ledgerRetention{24 * 400};
  int limitOf(const std::string& target) const;
};

}  // namespace qrfleet
