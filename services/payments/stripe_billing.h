#pragma once
#include <chrono>
#include <string>

#include "qrfleet/outside/http_client.h"

namespace qrfleet::payments {

struct StripeSettings {
  std::string apiUrl = "https://api.stripe.com";  // no trailing slash
  std::string apiKey;                             // a secret: never logged
  std::chrono::milliseconds timeout{10000};
};

// What a dunning step learns from Stripe, as its step outcome says it (the
// detail is what the AttemptLedger keeps, so a re-run reads the same):
//   succeeded: detail = the object's status ("paid", "open", "canceled")
//   failedPermanently: detail = "<HTTP status> <error code>: <message>" (402 card_declined: ...)
//   failedTransiently: no connection, a timeout, 401/403/429/5xx (as classifyHttp)
StepOutcome stripeOutcome(const HttpResponse& response);
// The error code of a permanent outcome's detail ("card_declined"), "" if none.
std::string stripeErrorCode(const StepOutcome& outcome);

// Stripe's Billing API for the dunning: POST /v1/invoices/<id>/pay retries an
// invoice's payment, DELETE /v1/subscriptions/<id> cancels a subscription;
// Bearer auth, form bodies, an Idempotency-Key per step (Stripe answers a
// repeated key with the first answer, so a call repeated after a crash is
// not a second charge). Thread-safe: calls come from the outside-call pool.
class StripeBilling {
 public:
  StripeBilling(StripeSettings settings, HttpClient& http) : settings_(std::move(settings)), http_(http) {}

  StepOutcome payInvoice(const std::string& invoiceId, const std::string& idempotencyKey);
  StepOutcome cancelSubscription(const std::string& subscriptionId, const std::string& idempotencyKey);

 private:
  StepOutcome call(const std::string& method, const std::string& path, const std::string& idempotencyKey);
  StripeSettings settings_;
  HttpClient& http_;
};

}  // namespace qrfleet::payments
