#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "message_template.h"

using namespace qrfleet::notify;

TEST_CASE("a template renders its parts; only the HTML part is escaped") {
  MessageTemplate t{"welcome", "email", "en", 3, "Hi {{name}} & co", "<p>Hi {{name}}</p>", "Hi {{name}}, {{#items}}{{.}} {{/items}}"};
  auto m = renderTemplate(t, {{"name", "<Ada>"}, {"items", {"a", "b"}}});
  CHECK(m.subject == "Hi <Ada> & co");
  CHECK(m.html == "<p>Hi &lt;Ada&gt;</p>");
  CHECK(m.text == "Hi <Ada>, a b ");
}

TEST_CASE("a variable the data lacks is an error naming it and the template") {
  MessageTemplate t{"booking.offer", "push", "", 1, "", "", "Pickup in {{distanceKm}} km at {{pickup.city}}"};
  CHECK(renderTemplate(t, {{"distanceKm", 0.42}, {"pickup", {{"city", "Ulm"}}}}).text == "Pickup in 0.42 km at Ulm");
  try {
    renderTemplate(t, {{"distanceKm", 1}});
    FAIL("rendered with a missing variable");
  } catch (const TemplateError& e) {
    CHECK(std::string(e.what()).find("'pickup.city'") != std::string::npos);
    CHECK(std::string(e.what()).find("booking.offer") != std::string::npos);
  }
}

TEST_CASE("an absent section is false, not missing; a syntax error is a TemplateError") {
  MessageTemplate t{"n", "sms", "", 1, "", "", "{{#vip}}VIP {{/vip}}{{^vip}}Hello{{/vip}}"};
  CHECK(renderTemplate(t, nlohmann::json::object()).text == "Hello");
  MessageTemplate bad{"n", "sms", "", 1, "", "", "{{#open}} never closed"};
  CHECK_THROWS_AS(renderTemplate(bad, nlohmann::json::object()), TemplateError);
}

TEST_CASE("an inline message is sent as given, its HTML the escaped text") {
  auto m = inlineMessage("Code", "1 < 2\nok");
  CHECK(m.text == "1 < 2\nok");
  CHECK(m.html == "<p>1 &lt; 2<br>\nok</p>");
}

namespace {
std::string readPart(const std::string& name, const std::string& file) {
  std::ifstream in(std::string(NOTIFY_TEMPLATE_DIR) + "/" + name + "/" + file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("the shipped templates render with what location and bulk-qr send") {
  MessageTemplate offer{"booking.offer", "push", "", 1, readPart("booking.offer", "push.subject"), "",
                        readPart("booking.offer", "push.txt")};
  REQUIRE(!offer.body.empty());
  nlohmann::json offerData = {{"type", "booking.offer"}, {"bookingId", "bk-1"}, {"vehicleType", "truck"},
                              {"pickup", {{"lat", 19.07}, {"lon", 72.87}}}, {"dropoff", {{"lat", 19.1}, {"lon", 72.9}}},
                              {"expiresAt", "2026-12-01T12:00:00.000Z"}, {"distanceKm", 1.25}};
  CHECK(renderTemplate(offer, offerData).subject.find("truck") != std::string::npos);
  nlohmann::json done = {{"batchId", "b1"}, {"generated", 10}, {"failed", 0}, {"invalid", 1},
                         {"archiveKey", "qr/o/b1/archive.zip"}, {"archiveUrl", "https://s3/a.zip?sig=1&x=2"}};
  for (const char* locale : {"", "de."}) {
    MessageTemplate t{"bulk-qr.completed", "email", locale, 1, readPart("bulk-qr.completed", std::string("email.") + locale + "subject"),
                      std::string(locale).empty() ? readPart("bulk-qr.completed", "email.html") : "",
                      readPart("bulk-qr.completed", std::string("email.") + locale + "txt")};
    REQUIRE(!t.body.empty());
    auto m = renderTemplate(t, done);
    CHECK(m.text.find("https://s3/a.zip?sig=1&x=2") != std::string::npos);
    if (!t.html.empty()) CHECK(m.html.find("https://s3/a.zip?sig=1&amp;x=2") != std::string::npos);
    auto withReport = done;
    withReport["reportUrl"] = "https://s3/r.csv";
    CHECK(renderTemplate(t, withReport).text.find(std::string(locale).empty() ? "https://s3/r.csv" : "") != std::string::npos);
  }
}

TEST_CASE("the shipped payment templates render with what payments sends") {
  // The data qrfleet-payments puts in each request (payments_handler.cpp), amountText included.
  const std::map<std::string, nlohmann::json> sent = {
      {"payment.receipt",
       {{"invoiceId", "in_1"}, {"amount", 1999}, {"currency", "EUR"}, {"amountText", "19.99 EUR"},
        {"paidAt", "2026-12-01T10:00:00.000Z"}, {"subscriptionId", "sub_1"}}},
      {"payment.failed",
       {{"invoiceId", "in_1"}, {"subscriptionId", "sub_1"}, {"amount", 1999}, {"currency", "EUR"},
        {"amountText", "19.99 EUR"}, {"nextAttemptAt", "2026-12-02T10:00:00.000Z"}}},
      {"payment.retry-failed",
       {{"invoiceId", "in_1"}, {"subscriptionId", "sub_1"}, {"amount", 1999}, {"currency", "EUR"},
        {"amountText", "19.99 EUR"}, {"attempt", 1}, {"nextAttemptAt", "2026-12-04T10:00:00.000Z"}}},
      {"subscription.past-due",
       {{"subscriptionId", "sub_1"}, {"invoiceId", "in_1"}, {"amount", 1999}, {"currency", "EUR"},
        {"amountText", "19.99 EUR"}, {"cancelAt", "2026-12-13T10:00:00.000Z"}}},
      {"subscription.canceled", {{"subscriptionId", "sub_1"}, {"invoiceId", "in_1"}}}};
  for (const auto& [name, data] : sent) {
    CAPTURE(name);
    MessageTemplate t{name, "email", "", 1, readPart(name, "email.subject"), "", readPart(name, "email.txt")};
    REQUIRE(!t.body.empty());
    auto m = renderTemplate(t, data);  // throws naming a variable the data lacks
    CHECK(!m.subject.empty());
    CHECK(m.text.find(name == "subscription.canceled" ? "sub_1" : "19.99 EUR") != std::string::npos);
  }
}
