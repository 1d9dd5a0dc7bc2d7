#include <doctest/doctest.h>

#include <map>

#include "provider_settings.h"

using namespace qrfleet::notify;

namespace {
SecretLookup secrets(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}
std::string errorOf(const std::string& doc, const SecretLookup& s) {
  try {
    parseProviders(doc, s);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("providers are read per channel in failover order, secrets from the variables they name") {
  auto p = parseProviders(R"({
    "email": [{"name": "smtp-a", "kind": "smtp", "url": "smtp://127.0.0.1:2525", "from": "Qr <no-reply@qr.test>",
               "user": "u", "passwordEnv": "SMTP_PW"},
              {"name": "mail-api", "kind": "sendgrid", "url": "http://127.0.0.1:8080/", "from": "no-reply@qr.test",
               "tokenEnv": "MAIL_TOKEN", "ratePerSecond": 50}],
    "push": [{"name": "fcm", "kind": "fcm", "url": "http://127.0.0.1:8081", "project": "p1", "tokenEnv": "FCM", "batchSize": 100}]})",
                          secrets({{"SMTP_PW", "pw"}, {"MAIL_TOKEN", "tk"}, {"FCM", "f"}}));
  REQUIRE(p.email.size() == 2);
  CHECK(p.email[0].password == "pw");
  CHECK(p.email[1].url == "http://127.0.0.1:8080");
  CHECK(p.email[1].rate->perSecond == 50);
  CHECK(p.push[0].batchSize == 100);
  CHECK(p.sms.empty());
}

TEST_CASE("a bad providers document names the provider and the field") {
  auto none = secrets({});
  CHECK(errorOf(R"({"email": [{"name": "a", "kind": "smtp", "url": "smtp://h", "from": "x@y", "user": "u", "passwordEnv": "NOPE"}]})", none)
            .find("NOPE") != std::string::npos);
  CHECK(errorOf(R"({"sms": [{"name": "a", "kind": "fcm", "url": "http://h"}]})", none).find("not a sms kind") !=
        std::string::npos);
  CHECK(errorOf(R"({"fax": []})", none).find("unknown channel") != std::string::npos);
  CHECK(errorOf(R"({"email": [{"name": "a", "kind": "smtp", "url": "http://h", "from": "x@y"}]})", none)
            .find("smtp://") != std::string::npos);
  CHECK(errorOf(R"({"push": [{"name": "a", "kind": "fcm", "url": "http://h", "project": "p", "tokenEnv": "T", "colour": 1}]})",
                secrets({{"T", "t"}}))
            .find("unknown field 'colour'") != std::string::npos);
  CHECK(errorOf("{", none).find("not JSON") != std::string::npos);
}
