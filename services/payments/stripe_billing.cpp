#include "stripe_billing.h"

#include <nlohmann/json.hpp>

namespace qrfleet::payments {

namespace {
// An id as one path segment: unreserved characters as they are, the rest %XX.
std::string pathSegment(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string stringField(const nlohmann::json& j, const char* name) {
  if (!j.is_object()) return {};
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

StepOutcome stripeOutcome(const HttpResponse& r) {
  auto outcome = classifyHttp(r);
  if (outcome.status == StepStatus::failedTransiently) return outcome;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (outcome.status == StepStatus::succeeded) {
    auto status = stringField(body, "status");
    outcome.detail = status.empty() ? "accepted" : status;
    return outcome;
  }
  if (r.failure != HttpResponse::Failure::none) return outcome;
  // Stripe's errors: {"error": {"type", "code", "decline_code", "message"}}.
  nlohmann::json error = body.is_object() && body.contains("error") ? body["error"] : nlohmann::json();
  auto code = stringField(error, "code");
  if (code.empty()) code = stringField(error, "type");
  if (code.empty()) code = "error";
  auto message = stringField(error, "message");
  outcome.detail = std::to_string(r.status) + " " + code + ": " + message.substr(0, 300);
  return outcome;
}

std::string stripeErrorCode(const StepOutcome& outcome) {
  if (outcome.status != StepStatus::failedPermanently) return {};
  auto space = outcome.detail.find(' ');
  auto colon = outcome.detail.find(':');
  if (space == std::string::npos || colon == std::string::npos || colon < space) return {};
  return outcome.detail.substr(space + 1, colon - space - 1);
}

StepOutcome StripeBilling::payInvoice(const std::string& invoiceId, const std::string& idempotencyKey) {
  return call("POST", "/v1/invoices/" + pathSegment(invoiceId) + "/pay", idempotencyKey);
}

StepOutcome StripeBilling::cancelSubscription(const std::string& subscriptionId, const std::string& idempotencyKey) {
  return call("DELETE", "/v1/subscriptions/" + pathSegment(subscriptionId), idempotencyKey);
}

StepOutcome StripeBilling::call(const std::string& method, const std::string& path, const std::string& idempotencyKey) {
  // The deployment's problem, not the invoice's: retried until it is fixed.
  if (settings_.apiKey.empty()) return StepOutcome::transient("PAYMENTS_STRIPE_API_KEY is not set", {}, true);
  HttpRequest req;
  req.method = method;
  req.url = settings_.apiUrl + path;
  req.target = "stripe";
  req.totalTimeout = settings_.timeout;
  req.headers = {{"Authorization", "Bearer " + settings_.apiKey},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"Idempotency-Key", idempotencyKey}};
  return stripeOutcome(http_.send(req));
}

}  // namespace qrfleet::payments
