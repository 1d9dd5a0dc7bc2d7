#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "provider_settings.h"
#include "qrfleet/config.h"

namespace qrfleet::webhook {

// The gateway's own variables (Kafka's are KafkaSettings::options()).
struct GatewaySettings {
  std::string bind = "0.0.0.0";
  int port = 8080;  // 0: any free port (tests)
  std::size_t bodyLimitBytes = 262144;
  std::chrono::milliseconds ackTimeout{5000};
  int threads = 2;  // event loops
  std::string topic = "payment-events";
  std::size_t maxEventBytes = 1000000;
  std::chrono::milliseconds shutdownDelay{0};
  std::string logLevel = "info";
  std::string instanceId;  // logs and the Kafka client id
  std::vector<ProviderSettings> providers;

  static std::vector<ConfigOption> options();
  // Problems are recorded on `config` (config.finish() throws them).
  static GatewaySettings fromConfig(EnvConfig& config, const SecretLookup& secrets = EnvConfig::processEnvironment);
};

}  // namespace qrfleet::webhook
