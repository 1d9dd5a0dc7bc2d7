#include "qrfleet/runtime/shutdown_signal.h"

#include <pthread.h>

#include <cstdlib>

namespace qrfleet {

ShutdownSignal::ShutdownSignal(std::function<void(int)> onFirstSignal) : onFirstSignal_(std::move(onFirstSignal)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGUSR2);  // used only to wake the waiter at destruction
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  waiter_ = std::thread([this] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      if (sig == SIGUSR2) return;
      if (requested_.exchange(true)) std::_Exit(130);
      if (onFirstSignal_) onFirstSignal_(sig);
    }
  });
}

ShutdownSignal::~ShutdownSignal() {
  pthread_kill(waiter_.native_handle(), SIGUSR2);
  waiter_.join();
}

}  // namespace qrfleet
