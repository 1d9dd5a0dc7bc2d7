#include <doctest/doctest.h>

#include "generic_event_normalizer.h"

using namespace qrfleet::webhook;

namespace {
constexpr const char* kGenericSucceeded = R"({
  "id": "acme-evt-1001", "type": "payment.succeeded", "created": "2026-11-22T10:15:29Z",
  "data": {"providerObjectId": "pay_77", "customerId": "cust-42", "amount": 1999, "currency": "EUR",
           "paymentMethodFingerprint": "fp-9"}})";

NormalizedWebhook generic(const nlohmann::json& body) { return normalizeGenericEvent("acme", body); }
}  // namespace

TEST_CASE("the generic body is read as the payload of its qrfleet type") {
  auto n = generic(nlohmann::json::parse(kGenericSucceeded));
  INFO(n.problem);
  REQUIRE(n.kind == NormalizedWebhook::Kind::event);
  CHECK(n.event.type == "payment.succeeded");
  CHECK(n.event.provider == "acme");
  CHECK(n.event.providerEventId == "acme-evt-1001");
  CHECK(n.event.providerObjectId == "pay_77");
  CHECK(n.event.customerId == "cust-42");
  CHECK(n.event.occurredAtMs == 1795342529000);
  CHECK(n.event.amount == 1999);
  CHECK(n.event.paymentMethodFingerprint == "fp-9");
  CHECK(n.providerEventId == "acme-evt-1001");

  auto sub = generic(nlohmann::json::parse(R"({
    "id": "acme-evt-1002", "type": "subscription.changed", "created": "2026-11-22T10:15:29.250+01:00",
    "data": {"providerObjectId": "sub-1", "customerId": "cust-42", "change": "created", "status": "trialing",
             "plan": "pro", "currentPeriodEnd": "2026-12-22T00:00:00Z"}})"));
  INFO(sub.problem);
  REQUIRE(sub.kind == NormalizedWebhook::Kind::event);
  CHECK(sub.event.occurredAtMs == 1795338929250);
  CHECK(sub.event.change == "created");
}

TEST_CASE("generic bodies: other types are ignored, bad ones unprocessable") {
  auto ignored = generic(nlohmann::json::parse(R"({"id": "e1", "type": "payment.authorized", "created": "2026-11-22T10:15:29Z", "data": {}})"));
  CHECK(ignored.kind == NormalizedWebhook::Kind::ignored);
  CHECK(ignored.providerEventId == "e1");

  auto body = nlohmann::json::parse(kGenericSucceeded);
  auto problem = [](const nlohmann::json& b) {
    auto n = normalizeGenericEvent("acme", b);
    CHECK(n.kind == NormalizedWebhook::Kind::unprocessable);
    return n.problem;
  };
  auto b = body;
  b["data"].erase("amount");
  CHECK(problem(b).find("'amount' is missing") != std::string::npos);
  b = body;
  b["data"]["currency"] = "eur";
  CHECK(problem(b).find("currency") != std::string::npos);
  b = body;
  b["data"]["colour"] = "red";
  CHECK(problem(b).find("colour") != std::string::npos);
  b = body;
  b["data"]["provider"] = "stripe";  // a sender cannot pass for another provider
  CHECK(problem(b).find("data: must not set 'provider'") == 0);
  b = body;
  b["data"]["webhook"] = nlohmann::json::object();
  CHECK(problem(b).find("'webhook'") != std::string::npos);
  b = body;
  b["created"] = "yesterday";
  CHECK(problem(b) == "created: must be an RFC 3339 date-time");
  b = body;
  b["created"] = 1795428929;
  CHECK(problem(b) == "created: must be a string");
  b = body;
  b.erase("id");
  CHECK(problem(b) == "id: is missing");
  b = body;
  b.erase("data");
  CHECK(problem(b) == "data: is missing");
}
