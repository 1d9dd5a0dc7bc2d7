#include "gateway_settings.h"

#include <unistd.h>

namespace qrfleet::webhook {

std::vector<ConfigOption> GatewaySettings::options() {
  std::vector<ConfigOption> out{
      {"WEBHOOK_PORT", "HTTP port for /webhooks/<provider>, /healthz, /readyz and /metrics (0 = any free port)", "8080"},
      {"WEBHOOK_BIND", "address to listen on", "0.0.0.0"},
      {"WEBHOOK_BODY_LIMIT_BYTES", "larger webhook bodies are refused with 413 (at most 1048576: the payment events' webhook.body bound)", "262144"},
      {"WEBHOOK_ACK_TIMEOUT_MS", "how long a request waits for Kafka to acknowledge its event before answering 503", "5000"},
      {"WEBHOOK_THREADS", "event-loop threads serving the connections (a request waiting for Kafka's acknowledgement holds none); about one per core", "2"},
      {"WEBHOOK_TOPIC", "the topic payment events go to", "payment-events"},
      {"WEBHOOK_MAX_EVENT_BYTES", "the largest event Kafka takes (the broker's message.max.bytes); a webhook whose event is larger gets 413", "1000000"},
      {"WEBHOOK_SHUTDOWN_DELAY_MS", "after SIGTERM, /readyz answers 503 this long before the port closes (lets a load balancer take the replica out)", "0"},
      {"INSTANCE_ID", "this replica's name in logs and its Kafka client id (default host-pid)", ""},
      {"LOG_LEVEL", "debug, info, warn or error", "info"},
  };
  for (auto& o : providerOptions()) out.push_back(std::move(o));
  return out;
}

GatewaySettings GatewaySettings::fromConfig(EnvConfig& c, const SecretLookup& secrets) {
  GatewaySettings s;
  s.port = static_cast<int>(c.integer("WEBHOOK_PORT", 0, 65535));
  s.bind = c.string("WEBHOOK_BIND");
  s.bodyLimitBytes = static_cast<std::size_t>(c.integer("WEBHOOK_BODY_LIMIT_BYTES", 1024, 1024 * 1024));
  s.ackTimeout = c.millis("WEBHOOK_ACK_TIMEOUT_MS", 100, 300000);
  s.threads = static_cast<int>(c.integer("WEBHOOK_THREADS", 1, 64));
  s.topic = c.string("WEBHOOK_TOPIC");
  s.maxEventBytes = static_cast<std::size_t>(c.integer("WEBHOOK_MAX_EVENT_BYTES", 4096, 1024 * 1024 * 1024));
  s.shutdownDelay = c.millis("WEBHOOK_SHUTDOWN_DELAY_MS", 0, 600000);
  s.logLevel = c.oneOf("LOG_LEVEL", {"debug", "info", "warn", "error"});
  s.instanceId = c.string("INSTANCE_ID");
  if (s.instanceId.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    s.instanceId = std::string(host) + "-" + std::to_string(getpid());
  }
  s.providers = readProviders(c, secrets);
  return s;
}

}  // namespace qrfleet::webhook
