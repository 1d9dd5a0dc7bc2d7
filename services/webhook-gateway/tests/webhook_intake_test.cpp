#include <doctest/doctest.h>

#include <map>

#include "hmac_sha256.h"
#include "qrfleet/sha256.h"
#include "stripe_signature.h"
#include "webhook_intake.h"

using namespace qrfleet;
using namespace qrfleet::webhook;

namespace {

constexpr std::int64_t kNowMs = 1795428930123;
constexpr const char* kStripeSecret = "whsec_intake";

constexpr const char* kSucceeded =
    R"({"id":"evt_1","object":"event","type":"charge.succeeded","created":1795428929,)"
    R"("data":{"object":{"id":"ch_1","amount":1999,"currency":"eur","customer":"cus_42"}}})";

ProviderSettings stripeProvider() {
  ProviderSettings p;
  p.name = "stripe";
  p.scheme = "stripe";
  p.secrets = {kStripeSecret};
  return p;
}

ProviderSettings acmeProvider() {
  ProviderSettings p;
  p.name = "acme";
  p.scheme = "hmac-sha256";
  p.secrets = {"acme-secret"};
  p.header = "X-Acme-Signature";
  return p;
}

HeaderLookup headersOf(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

HeaderLookup stripeSigned(const std::string& body, std::int64_t t = kNowMs / 1000) {
  return headersOf({{"Stripe-Signature", "t=" + std::to_string(t) + ",v1=" + stripeSignature(kStripeSecret, t, body)}});
}

IntakeDecision stripeIntake(const std::string& body, std::size_t maxEventBytes = 1000000) {
  auto adapter = makeWebhookAdapter(stripeProvider());
  return decideIntake(*adapter, stripeSigned(body), body, kNowMs, maxEventBytes);
}

}  // namespace

TEST_CASE("a signed Stripe charge becomes a payment.succeeded envelope carrying the exact body") {
  auto d = stripeIntake(kSucceeded);
  INFO(d.problem);
  REQUIRE(d.outcome == WebhookOutcome::accepted);
  REQUIRE(d.envelope);
  CHECK(d.key == "cus_42");
  CHECK(d.envelope->eventType == "payment.succeeded");
  CHECK(d.envelope->source == "webhook-gateway");
  CHECK(d.envelope->timestampMs == kNowMs);
  auto event = events::PaymentEvent::fromEnvelope(*d.envelope);
  REQUIRE(event.webhook);
  CHECK(event.webhook->body == kSucceeded);
  CHECK(event.webhook->bodySha256 == sha256Hex(kSucceeded));
  CHECK(event.webhook->receivedAtMs == kNowMs);
  CHECK(event.currency == "EUR");
  // A redelivery (signed again, later) is the same event: same id, so the worker de-duplicates it.
  auto adapter = makeWebhookAdapter(stripeProvider());
  auto again = decideIntake(*adapter, stripeSigned(kSucceeded, kNowMs / 1000 + 60), kSucceeded, kNowMs + 60000, 1000000);
  REQUIRE(again.envelope);
  CHECK(again.envelope->eventId == d.envelope->eventId);
  CHECK(answerAcknowledged(d.envelope->eventId).body == nlohmann::json{{"received", true}, {"eventId", d.envelope->eventId}});
}

TEST_CASE("refusals before the body is believed: signature, UTF-8, JSON") {
  auto adapter = makeWebhookAdapter(stripeProvider());
  auto unsigned_ = decideIntake(*adapter, headersOf({}), kSucceeded, kNowMs, 1000000);
  CHECK(unsigned_.outcome == WebhookOutcome::badSignature);
  CHECK(unsigned_.answer.status == 400);
  CHECK(unsigned_.answer.body == nlohmann::json{{"error", "missing signature header"}});

  auto expected = stripeSignature(kStripeSecret, kNowMs / 1000, kSucceeded);
  auto forged = decideIntake(*adapter, headersOf({{"Stripe-Signature", "t=" + std::to_string(kNowMs / 1000) + ",v1=" + std::string(64, 'a')}}),
                             kSucceeded, kNowMs, 1000000);
  CHECK(forged.outcome == WebhookOutcome::badSignature);
  CHECK(forged.answer.body.dump().find(expected) == std::string::npos);
  CHECK(forged.problem.find(expected) == std::string::npos);

  auto stale = decideIntake(*adapter, stripeSigned(kSucceeded, kNowMs / 1000 - 301), kSucceeded, kNowMs, 1000000);
  CHECK(stale.outcome == WebhookOutcome::badSignature);
  CHECK(stale.answer.body == nlohmann::json{{"error", "timestamp outside the tolerance"}});

  auto notUtf8 = stripeIntake("{\"id\": \"evt_\xff\"}");
  CHECK(notUtf8.outcome == WebhookOutcome::badBody);
  CHECK(notUtf8.answer.status == 400);
  CHECK(stripeIntake("{not json").outcome == WebhookOutcome::badBody);
  CHECK(stripeIntake("[1, 2]").answer.body == nlohmann::json{{"error", "body is not a JSON object"}});
}

TEST_CASE("ignored and unprocessable answers") {
  auto ignored = stripeIntake(R"({"id":"evt_9","type":"customer.created","created":1795428929,"data":{"object":{}}})");
  CHECK(ignored.outcome == WebhookOutcome::ignored);
  CHECK(ignored.answer.status == 200);
  CHECK(ignored.answer.body == nlohmann::json{{"ignored", true}});
  CHECK(ignored.providerEventId == "evt_9");
  CHECK_FALSE(ignored.envelope);

  auto missing = stripeIntake(R"({"id":"evt_1","type":"charge.succeeded","created":1795428929,)"
                              R"("data":{"object":{"id":"ch_1","currency":"eur","customer":"cus_42"}}})");
  CHECK(missing.outcome == WebhookOutcome::unprocessable);
  CHECK(missing.answer.status == 422);
  CHECK(missing.answer.body == nlohmann::json{{"error", "data.object.amount: is missing"}});
}

TEST_CASE("the payment events' decoder has the last word: what it refuses is 422, never produced") {
  // A subscription status Stripe may add one day, unknown to the contract.
  auto d = stripeIntake(R"({"id":"evt_s","type":"customer.subscription.updated","created":1795428929,)"
                        R"("data":{"object":{"id":"sub_1","customer":"cus_42","status":"frozen","plan":{"id":"plan_1"}}}})");
  CHECK(d.outcome == WebhookOutcome::unprocessable);
  CHECK(d.answer.status == 422);
  CHECK(d.problem.find("status") != std::string::npos);
  CHECK_FALSE(d.envelope);
}

TEST_CASE("an event larger than Kafka takes is 413, not produced") {
  auto d = stripeIntake(kSucceeded, 600);
  CHECK(d.outcome == WebhookOutcome::tooLarge);
  CHECK(d.answer.status == 413);
  CHECK_FALSE(d.envelope);
}

TEST_CASE("the hmac-sha256 adapter: the generic body, signed in its configured header") {
  auto adapter = makeWebhookAdapter(acmeProvider());
  std::string body = R"({"id":"acme-1","type":"payment.refunded","created":"2026-11-22T10:15:29Z",)"
                     R"("data":{"providerObjectId":"rf_1","customerId":"cust-7","amount":500,"currency":"USD","paymentObjectId":"pay_1"}})";
  auto d = decideIntake(*adapter, headersOf({{"X-Acme-Signature", "sha256=" + hmacSha256Hex("acme-secret", body)}}), body,
                        kNowMs, 1000000);
  INFO(d.problem);
  REQUIRE(d.outcome == WebhookOutcome::accepted);
  CHECK(d.key == "cust-7");
  CHECK(d.envelope->eventType == "payment.refunded");
  CHECK(d.envelope->payload["provider"] == "acme");
  CHECK(decideIntake(*adapter, headersOf({{"X-Acme-Signature", hmacSha256Hex("other", body)}}), body, kNowMs, 1000000)
            .outcome == WebhookOutcome::badSignature);
  // The Stripe header means nothing to it.
  CHECK(decideIntake(*adapter, stripeSigned(body), body, kNowMs, 1000000).outcome == WebhookOutcome::badSignature);
}
