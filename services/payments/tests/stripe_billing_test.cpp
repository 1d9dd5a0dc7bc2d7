#include <doctest/doctest.h>

#include "stripe_billing.h"

using namespace qrfleet;
using namespace qrfleet::payments;

namespace {
HttpResponse answer(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("Stripe's answers as dunning outcomes") {
  auto paid = stripeOutcome(answer(200, R"({"id":"in_1","object":"invoice","status":"paid"})"));
  CHECK(paid.status == StepStatus::succeeded);
  CHECK(paid.detail == "paid");
  auto open = stripeOutcome(answer(200, R"({"id":"in_1","status":"open"})"));
  CHECK(open.detail == "open");
  auto declined = stripeOutcome(
      answer(402, R"({"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}})"));
  CHECK(declined.status == StepStatus::failedPermanently);
  CHECK(declined.detail == "402 card_declined: Your card was declined.");
  CHECK(stripeErrorCode(declined) == "card_declined");
  auto missing = stripeOutcome(
      answer(404, R"({"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such subscription: 'sub_1'"}})"));
  CHECK(stripeErrorCode(missing) == "resource_missing");
  auto typeOnly = stripeOutcome(answer(400, R"({"error":{"type":"invalid_request_error"}})"));
  CHECK(stripeErrorCode(typeOnly) == "invalid_request_error");
  CHECK(stripeOutcome(answer(500, "{}")).status == StepStatus::failedTransiently);
  CHECK(stripeOutcome(answer(429, "{}")).status == StepStatus::failedTransiently);
  CHECK(stripeOutcome(answer(401, "{}")).status == StepStatus::failedTransiently);
  CHECK(stripeErrorCode(stripeOutcome(answer(500, "{}"))).empty());
  HttpResponse down;
  down.failure = HttpResponse::Failure::connect;
  CHECK(stripeOutcome(down).status == StepStatus::failedTransiently);
}
