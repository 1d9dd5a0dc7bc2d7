#pragma once
#include <array>
#include <string_view>

namespace qrfleet::webhook {

// What became of one webhook request: the `outcome` label of qrfleet_webhooks_total.
enum class WebhookOutcome {
  accepted,          // 200 after Kafka acknowledged the event
  ignored,           // 200: signed, of a type we do not normalize
  badSignature,      // 400: missing or bad signature, or a stale timestamp
  tooLarge,          // 413
  badBody,           // 400: not UTF-8, not a JSON object, or not read whole
  unprocessable,     // 422: a field we need is missing or bad
  kafkaUnavailable,  // 503 + Retry-After: Kafka did not acknowledge in time
  unknownProvider,   // 404
  failed,            // 500: a bug (an exception), so that alerts see it
};

inline constexpr std::array kWebhookOutcomes = {
    WebhookOutcome::accepted,      WebhookOutcome::ignored,          WebhookOutcome::badSignature,
    WebhookOutcome::tooLarge,      WebhookOutcome::badBody,          WebhookOutcome::unprocessable,
    WebhookOutcome::kafkaUnavailable, WebhookOutcome::unknownProvider, WebhookOutcome::failed};

constexpr std::string_view outcomeName(WebhookOutcome o) {
  switch (o) {
    case WebhookOutcome::accepted: return "accepted";
    case WebhookOutcome::ignored: return "ignored";
    case WebhookOutcome::badSignature: return "bad_signature";
    case WebhookOutcome::tooLarge: return "too_large";
    case WebhookOutcome::badBody: return "bad_body";
    case WebhookOutcome::unprocessable: return "unprocessable";
    case WebhookOutcome::kafkaUnavailable: return "kafka_unavailable";
    case WebhookOutcome::unknownProvider: return "unknown_provider";
    case WebhookOutcome::failed: return "failed";
  }
  return "unknown";
}

}  // namespace qrfleet::webhook
