#include <doctest/doctest.h>

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
