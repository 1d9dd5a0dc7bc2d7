#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "qrfleet/outside/http_client.h"
#include "qrfleet/runtime_metrics.h"
#include "test_stack.h"

namespace qrfleet::testing {

// One message the provider saw (a multicast call logs one per message).
struct ProviderRequest {
  std::string key;  // the idempotency key, wherever the API shape carries it
  int n = -1;       // body n, on the generic /v1/messages only
  double at = 0;    // Unix seconds of arrival
  int status = 0;   // what it answered (0: no answer, a timeout); in a multicast, the message's entry's
                    // code, or the call's when the whole call failed
  std::string instance;
  std::string kind;   // "messages", "push", "push-batch", "sms", "email-api"
  std::string to;     // device token, phone number or email address (several: joined by ",")
  int batch = 0;      // the multicast call it came in, from 1 (0: a single call)
  int batchSize = 0;  // messages in its HTTP call
  std::string id;     // the message id answered: "msg-<key>" (SMS "SMmsg-<key>"), "" when it failed
};

// qrfleet-test-provider (tests/provider), started on a free loopback port for
// one test: the generic, FCM v1 push (single and multicast), Twilio SMS and
// SendGrid mail API shapes on one server, logging every message with its
// idempotency key and recipient and failing on demand (see its source for the
// modes: default, delayMs, retryAfterSeconds, perN, perTo).
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
