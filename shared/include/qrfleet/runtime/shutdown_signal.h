#pragma once
#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace qrfleet {

// Turns SIGTERM/SIGINT into a flag, without a global: the signals are blocked
// in every thread and one thread waits for them with sigwait(). Construct it
// first in main, before any other thread starts, so they inherit the mask.
// A second signal ends the process at once (exit code 130).
class ShutdownSignal {
 public:
  explicit ShutdownSignal(std::function<void(int)> onFirstSignal = {});
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  bool requested() const { return requested_.load(); }
  // Asks for the same clean shutdown as SIGTERM (e.g. a replay that is done).
  void request() { requested_ = true; }
  const std::atomic<bool>& flag() const { return requested_; }

 private:
  std::atomic<bool> requested_{false};
  std::function<void(int)> onFirstSignal_;
  sigset_t set_{};
  std::thread waiter_;
};

}  // namespace qrfleet
