#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway_settings.h"
#include "qrfleet/envelope.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/time_format.h"
#include "webhook_adapter.h"

namespace qrfleet::webhook {

// What became of a produced event: nullopt when Kafka acknowledged it, else
// why not (AcknowledgedProducer::Outcome).
using Acknowledgement = std::optional<std::string>;

// Where payment events go: AcknowledgedProducer in the gateway, a fake in tests.
struct PaymentEventSink {
  // `wire` is `event` encoded (the bytes to produce). `done` is called once,
  // from any thread, possibly before produce returns.
  std::function<void(const std::string& key, const Envelope& event, const std::string& wire,
                     std::function<void(Acknowledgement)> done)>
      produce;
  std::function<bool()> reachable;  // a broker answers (may block about a second; the server caches it)
};

// The gateway's one port (libmicrohttpd: WEBHOOK_THREADS event loops; a
// request waiting for Kafka holds its connection suspended, not a thread):
//   POST /webhooks/<provider>   verified, normalized, produced; 2xx only once Kafka acknowledged
//   GET /healthz, /readyz, /metrics
class WebhookServer {
 public:
  WebhookServer(const GatewaySettings& settings, std::vector<std::unique_ptr<WebhookAdapter>> adapters,
                PaymentEventSink sink, RuntimeMetrics& metrics, JsonLogger& log,
                std::function<std::int64_t()> nowMs = nowMillis);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Binds WEBHOOK_BIND:WEBHOOK_PORT and serves on threads of its own; returns
  // the port. Throws std::runtime_error naming the variables when it cannot bind.
  int start();
  // From now on /readyz answers 503; requests are still served.
  void beginShutdown();
  // Closes the port; returns once every request being served is answered.
  void stop();
  // False once the server stopped, asked to or not.
  bool serving() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qrfleet::webhook
