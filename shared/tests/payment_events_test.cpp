#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "qrfleet/events/payment_events.h"

namespace fs = std::filesystem;
using qrfleet::Envelope;
using qrfleet::events::PaymentEvent;

namespace {
Envelope readExample(const std::string& name) {
  std::ifstream in(fs::path(QRFLEET_SCHEMA_DIR) / "examples" / "valid" / name);
  std::stringstream s;
  s << in.rdbuf();
  return Envelope::decode(s.str());
}
}  // namespace

TEST_CASE("a payment event survives decode and encode unchanged") {
  for (const char* name : {"payment.succeeded.v1.full.json", "payment.failed.v1.full.json",
                           "payment.refunded.v1.full.json", "payment.disputed.v1.full.json",
                           "subscription.changed.v1.full.json", "subscription.changed.v1.minimal.json",
                           "invoice.paid.v1.full.json", "invoice.payment-failed.v1.full.json"}) {
    CAPTURE(name);
    auto e = readExample(name);
    auto p = PaymentEvent::fromEnvelope(e);
    CHECK(p.type == e.eventType);
    CHECK(p.toPayload() == e.payload);
  }
}

TEST_CASE("a provider's redelivery gets the same event id; another event another") {
  auto p = PaymentEvent::fromEnvelope(readExample("payment.succeeded.v1.full.json"));
  auto first = p.toEnvelope("webhook-gateway", 1000);
  auto again = p.toEnvelope("webhook-gateway", 99000);
  CHECK(first.eventId == again.eventId);
  CHECK(first.tenantId == p.customerId);
  p.providerEventId = "evt_other";
  CHECK(p.toEnvelope("webhook-gateway", 1000).eventId != first.eventId);
  p.provider = "acme";
  p.providerEventId = "evt_1";
  CHECK(p.toEnvelope("webhook-gateway", 1000).eventId != first.eventId);
  // And what it encodes decodes to the same event.
  auto back = PaymentEvent::fromEnvelope(Envelope::decode(first.encode()));
  CHECK(back.toPayload() == PaymentEvent::fromEnvelope(readExample("payment.succeeded.v1.full.json")).toPayload());
}

TEST_CASE("fields of another type are refused") {
  auto e = readExample("invoice.paid.v1.full.json");
  e.payload["paymentObjectId"] = "ch_1";
  CHECK_THROWS_AS(PaymentEvent::fromEnvelope(e), qrfleet::EventRejected);
  e = readExample("payment.succeeded.v1.full.json");
  e.payload["failureCode"] = "card_declined";
  CHECK_THROWS_AS(PaymentEvent::fromEnvelope(e), qrfleet::EventRejected);
  e = readExample("subscription.changed.v1.full.json");
  e.payload.erase("currency");
  CHECK_THROWS_AS(PaymentEvent::fromEnvelope(e), qrfleet::EventRejected);
}
