#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "qrfleet/outside/http_client.h"
#include "qrfleet/runtime_metrics.h"
#include "test_stack.h"

namespace qrfleet::testing {

// One request the provider saw.
struct ProviderRequest {
  std::string key;  // Idempotency-Key
  int n = -1;
  double at = 0;    // Unix seconds of arrival
  int status = 0;   // what it answered (0: no answer, a timeout)
  std::string instance;
};

// qrfleet-test-provider (tests/provider), started on a free loopback port for
// one test: a push/SMS-shaped HTTP API that counts requests per idempotency
// key and fails on demand (see its source for the modes).
class ProviderServer {
 public:
  explicit ProviderServer(const std::string& name, const std::string& token = "test-token");

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void setMode(const nlohmann::json& mode);
  std::vector<ProviderRequest> requests();
  void reset();

 private:
  nlohmann::json control(const std::string& method, const std::string& path, const std::string& body = "");
  int port_;
  RuntimeMetrics metrics_{"test-provider-client", "0"};
  HttpClient http_{metrics_};
  std::unique_ptr<WorkerProcess> process_;
};

}  // namespace qrfleet::testing
