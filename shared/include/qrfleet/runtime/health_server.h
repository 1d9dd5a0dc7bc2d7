#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace qrfleet {

// The one HTTP port of a worker: GET /metrics, /healthz, /readyz.
// Deliberately tiny (one thread, one request per connection): it serves
// probes and scrapes, not traffic.
class HealthServer {
 public:
  struct Probes {
    std::function<std::string()> metrics;
    std::function<bool()> healthy;  // the consume loop is alive
    std::function<bool()> ready;    // assigned and every store answers
  };

  // port 0 picks a free port (see port()).
  HealthServer(int port, Probes probes);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }

 private:
  void serve();
  void answer(int fd);

  Probes probes_;
  int listenFd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace qrfleet
