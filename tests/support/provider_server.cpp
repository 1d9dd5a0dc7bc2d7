#include "provider_server.h"

namespace qrfleet::testing {

ProviderServer::ProviderServer(const std::string& name, const std::string& token) : port_(freePort()) {
  auto stack = TestStack::fromEnvironment();
  process_ = std::make_unique<WorkerProcess>(
      stack.binDir + "/qrfleet-test-provider", std::map<std::string, std::string>{},
      std::string(QRFLEET_TEST_LOG_DIR) + "/provider-" + name + ".log",
      std::vector<std::string>{"-listen", "127.0.0.1:" + std::to_string(port_), "-token", token});
  bool up = waitUntil(
      [&] {
        HttpRequest req;
        req.url = url() + "/control/log";
        req.target = "control";
        return http_.send(req).status == 200;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50));
  if (!up) throw std::runtime_error("qrfleet-test-provider did not start on port " + std::to_string(port_));
}

nlohmann::json ProviderServer::control(const std::string& method, const std::string& path, const std::string& body) {
  HttpRequest req;
  req.method = method;
  req.url = url() + path;
  req.body = body;
  req.target = "control";
  req.headers = {{"Content-Type", "application/json"}};
  auto resp = http_.send(req);
  if (resp.status != 200) throw std::runtime_error("provider control " + path + " answered " + std::to_string(resp.status) + ": " + resp.error + resp.body);
  return nlohmann::json::parse(resp.body);
}

void ProviderServer::setMode(const nlohmann::json& mode) { control("POST", "/control/mode", mode.dump()); }
void ProviderServer::reset() { control("POST", "/control/reset"); }

std::vector<ProviderRequest> ProviderServer::requests() {
  std::vector<ProviderRequest> out;
  auto log = control("GET", "/control/log");
  if (log.is_null()) return out;
  for (const auto& e : log)
    out.push_back({e.at("key").get<std::string>(), e.at("n").get<int>(), e.at("at").get<double>(),
                   e.at("status").get<int>(), e.at("instance").get<std::string>(), e.value("kind", std::string()),
                   e.value("to", std::string()), e.value("batch", 0), e.value("batchSize", 0),
                   e.value("id", std::string())});
  return out;
}

}  // namespace qrfleet::testing
