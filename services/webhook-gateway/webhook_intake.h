#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "qrfleet/envelope.h"
#include "webhook_adapter.h"
#include "webhook_outcome.h"

namespace qrfleet::webhook {

// An HTTP answer to a webhook.
struct WebhookAnswer {
  int status = 500;
  nlohmann::json body = nlohmann::json::object();
  std::optional<int> retryAfterSeconds;  // 503: when the provider should try again
};

// What the gateway makes of one webhook before Kafka: a final answer, or an
// event to produce (then the answer waits for Kafka: answerAcknowledged or
// answerUnavailable). The signature is checked on the raw bytes before
// anything parses them.
struct IntakeDecision {
  WebhookOutcome outcome = WebhookOutcome::badBody;
  WebhookAnswer answer = {};         // final unless `envelope` is set
  std::optional<Envelope> envelope;  // to produce to payment-events, key `key`
  std::string wire;                  // the envelope encoded: the bytes produced
  std::string key;                   // the customer id
  std::string providerEventId;       // for the logs, when the body has one
  std::string providerType;
  std::string problem;               // why not accepted (never a secret or an expected signature)
};

// `nowMs` is the receive time (the webhook claim check's receivedAt and the
// envelope's timestamp); `maxEventBytes` what Kafka takes in one message.
IntakeDecision decideIntake(const WebhookAdapter& adapter, const HeaderLookup& headers, std::string_view body,
                            std::int64_t nowMs, std::size_t maxEventBytes);

WebhookAnswer answerAcknowledged(const std::string& eventId);
WebhookAnswer answerUnavailable();
// 400/404/413/422 bodies: {"error": "..."}
WebhookAnswer answerError(int status, const std::string& error);

}  // namespace qrfleet::webhook
