#include <doctest/doctest.h>

#include "delivery_decision.h"
#include "qrfleet/time_format.h"

using namespace qrfleet;
using namespace qrfleet::notify;

namespace {
std::int64_t at(const char* rfc3339) { return *parseRfc3339Millis(rfc3339); }

events::NotificationRequested request(const char* channel, const char* priority = "normal") {
  events::NotificationRequested n;
  n.recipientId = "usr_1";
  n.channel = channel;
  n.templateName = "t";
  n.priority = priority;
  return n;
}
}  // namespace

TEST_CASE("the request's address parts win over the contact's; a missing one fails the channel") {
  Contact c;
  c.address.email = "contact@example.com";
  c.address.deviceTokens = {"tok"};
  auto n = request("email");
  n.to.email = "request@example.com";
  auto d = decideDelivery(n, &c, at("2026-12-01T12:00:00Z"), false, "en");
  CHECK(d.kind == DeliveryDecision::Kind::deliver);
  CHECK(*d.address.email == "request@example.com");
  CHECK(d.address.deviceTokens == std::vector<std::string>{"tok"});
  auto sms = decideDelivery(request("sms"), &c, at("2026-12-01T12:00:00Z"), false, "en");
  CHECK(sms.kind == DeliveryDecision::Kind::fail);
  CHECK(sms.reason.find("phone number") != std::string::npos);
  CHECK(decideDelivery(request("in_app"), nullptr, 0, false, "en").kind == DeliveryDecision::Kind::deliver);
}

TEST_CASE("expired requests expire; later ones wait until sendAfter, unless released") {
  auto n = request("in_app");
  n.expiresAtMs = at("2026-12-01T12:00:00Z");
  CHECK(decideDelivery(n, nullptr, at("2026-12-01T12:00:00Z"), false, "en").kind == DeliveryDecision::Kind::expire);
  n.expiresAtMs.reset();
  n.sendAfterMs = at("2026-12-01T13:00:00Z");
  auto d = decideDelivery(n, nullptr, at("2026-12-01T12:00:00Z"), false, "en");
  CHECK(d.kind == DeliveryDecision::Kind::defer);
  CHECK(d.dueAtMs == *n.sendAfterMs);
  CHECK(decideDelivery(n, nullptr, at("2026-12-01T12:00:00Z"), true, "en").kind == DeliveryDecision::Kind::deliver);
}

TEST_CASE("bulk waits out the recipient's quiet hours in their time zone; urgent does not") {
  Contact c;
  c.address.phone = "+4915112345678";
  c.quiet = QuietHours::parse("Europe/Berlin", "22:00", "07:00");
  // 23:30 in Berlin (UTC+1 in December): quiet until 07:00 Berlin = 06:00 UTC.
  auto d = decideDelivery(request("sms", "bulk"), &c, at("2026-12-01T22:30:00Z"), false, "en");
  CHECK(d.kind == DeliveryDecision::Kind::defer);
  CHECK(d.dueAtMs == at("2026-12-02T06:00:00Z"));
  // 06:30 Berlin, after midnight: the same morning's 07:00.
  CHECK(decideDelivery(request("sms", "bulk"), &c, at("2026-12-02T05:30:00Z"), false, "en").dueAtMs ==
        at("2026-12-02T06:00:00Z"));
  CHECK(decideDelivery(request("sms", "bulk"), &c, at("2026-12-01T12:00:00Z"), false, "en").kind ==
        DeliveryDecision::Kind::deliver);
  CHECK(decideDelivery(request("sms", "urgent"), &c, at("2026-12-01T22:30:00Z"), false, "en").kind ==
        DeliveryDecision::Kind::deliver);
  // A bulk message due (sendAfter) inside the quiet hours waits for their end too.
  auto later = request("sms", "bulk");
  later.sendAfterMs = at("2026-12-01T22:00:00Z");  // 23:00 in Berlin
  auto deferred = decideDelivery(later, &c, at("2026-12-01T12:00:00Z"), false, "en");
  CHECK(deferred.kind == DeliveryDecision::Kind::defer);
  CHECK(deferred.dueAtMs == at("2026-12-02T06:00:00Z"));
  CHECK_THROWS_AS(QuietHours::parse("Mars/Olympus", "22:00", "07:00"), std::invalid_argument);
}

TEST_CASE("templates are looked up by the request's locale, its language, the contact's, the default, then any") {
  Contact c;
  c.locale = "fr-CA";
  auto n = request("in_app");
  n.locale = "de-AT";
  auto d = decideDelivery(n, &c, 0, false, "en");
  CHECK(d.locales == std::vector<std::string>{"de-AT", "de", "fr-CA", "fr", "en", ""});
}
