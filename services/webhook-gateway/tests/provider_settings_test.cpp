#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "gateway_settings.h"

using namespace qrfleet;
using namespace qrfleet::webhook;

namespace {
SecretLookup lookupIn(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

std::string errorOf(const std::string& doc, const SecretLookup& secrets) {
  try {
    parseProviders(doc, secrets);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// The ConfigError a start with these variables would exit 2 with ("" when none).
std::string configErrorOf(std::map<std::string, std::string> env) {
  auto lookup = lookupIn(env);
  EnvConfig config(GatewaySettings::options(), lookup);
  GatewaySettings::fromConfig(config, lookup);
  try {
    config.finish();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("providers: secrets from the variables they name, several while rotating") {
  auto p = parseProviders(R"([
      {"name": "stripe", "scheme": "stripe", "secretsEnv": "STRIPE_WEBHOOK_SECRETS", "toleranceSeconds": 600},
      {"name": "acme-pay", "scheme": "hmac-sha256", "secretsEnv": "ACME_SECRETS", "header": "X-Acme-Signature"}])",
                          lookupIn({{"STRIPE_WEBHOOK_SECRETS", "whsec_new, whsec_old"}, {"ACME_SECRETS", "a1"}}));
  REQUIRE(p.size() == 2);
  CHECK(p[0].secrets == std::vector<std::string>{"whsec_new", "whsec_old"});
  CHECK(p[0].toleranceSeconds == 600);
  CHECK(p[1].scheme == "hmac-sha256");
  CHECK(p[1].header == "X-Acme-Signature");
  CHECK(p[1].secrets == std::vector<std::string>{"a1"});
}

TEST_CASE("the default is Stripe with STRIPE_WEBHOOK_SECRETS") {
  auto lookup = lookupIn({{"STRIPE_WEBHOOK_SECRETS", "whsec_x"}});
  EnvConfig config(GatewaySettings::options(), lookup);
  auto s = GatewaySettings::fromConfig(config, lookup);
  config.finish();
  REQUIRE(s.providers.size() == 1);
  CHECK(s.providers[0].name == "stripe");
  CHECK(s.providers[0].toleranceSeconds == 300);
  CHECK(s.port == 8080);
  CHECK(s.bodyLimitBytes == 262144);
  CHECK(s.ackTimeout.count() == 5000);
  CHECK(s.threads == 2);
  CHECK(s.topic == "payment-events");
}

TEST_CASE("a bad providers document names the provider and the field") {
  auto none = lookupIn({});
  auto secret = lookupIn({{"S", "s"}});
  CHECK(errorOf(R"([{"name": "stripe", "scheme": "stripe", "secretsEnv": "NOPE"}])", none) ==
        "provider 1 (stripe): the secret variable NOPE (secretsEnv) is not set");
  CHECK(errorOf(R"([{"name": "stripe", "scheme": "stripe", "secretsEnv": "S"}])", lookupIn({{"S", " , "}}))
            .find("S (secretsEnv) is not set") != std::string::npos);
  CHECK(errorOf(R"([{"name": "Stripe", "scheme": "stripe", "secretsEnv": "S"}])", secret).find("[a-z0-9_-]{1,32}") !=
        std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "stripe", "secretsEnv": "S"}, {"name": "a", "scheme": "stripe", "secretsEnv": "S"}])",
                secret)
            .find("provider 2 (a): names must be unique") == 0);
  CHECK(errorOf(R"([{"name": "a", "scheme": "paypal", "secretsEnv": "S"}])", secret).find("scheme 'paypal'") !=
        std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "hmac-sha256", "secretsEnv": "S"}])", secret)
            .find("provider 1 (a): field 'header' is missing") == 0);
  CHECK(errorOf(R"([{"name": "a", "scheme": "hmac-sha256", "secretsEnv": "S", "header": "X Sig"}])", secret)
            .find("not an HTTP header name") != std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "hmac-sha256", "secretsEnv": "S", "header": "X-Sig", "toleranceSeconds": 5}])", secret)
            .find("only for the stripe scheme") != std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "stripe", "secretsEnv": "S", "toleranceSeconds": 0}])", secret)
            .find("toleranceSeconds must be") != std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "stripe", "secretsEnv": "S", "header": "X"}])", secret)
            .find("header is only for hmac-sha256") != std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "stripe", "secretsEnv": "S", "colour": 1}])", secret)
            .find("unknown field 'colour'") != std::string::npos);
  CHECK(errorOf(R"([{"name": "a", "scheme": "stripe"}])", secret).find("field 'secretsEnv' is missing") != std::string::npos);
  CHECK(errorOf("[]", secret).find("non-empty list") != std::string::npos);
  CHECK(errorOf("{}", secret).find("non-empty list") != std::string::npos);
  CHECK(errorOf("[", secret).find("not JSON") == 0);
}

TEST_CASE("bad configuration is a ConfigError naming the variable (and the provider and secret variable)") {
  CHECK(configErrorOf({}).find("WEBHOOK_PROVIDERS: provider 1 (stripe): the secret variable STRIPE_WEBHOOK_SECRETS") !=
        std::string::npos);
  CHECK(configErrorOf({{"STRIPE_WEBHOOK_SECRETS", "s"}}).empty());
  CHECK(configErrorOf({{"STRIPE_WEBHOOK_SECRETS", "s"}, {"WEBHOOK_PORT", "http"}}).find("WEBHOOK_PORT") != std::string::npos);
  CHECK(configErrorOf({{"STRIPE_WEBHOOK_SECRETS", "s"}, {"WEBHOOK_THREADS", "0"}}).find("WEBHOOK_THREADS") != std::string::npos);
  CHECK(configErrorOf({{"STRIPE_WEBHOOK_SECRETS", "s"}, {"WEBHOOK_BODY_LIMIT_BYTES", "99999999"}})
            .find("WEBHOOK_BODY_LIMIT_BYTES") != std::string::npos);
  CHECK(configErrorOf({{"STRIPE_WEBHOOK_SECRETS", "s"}, {"WEBHOOK_ACK_TIMEOUT_MS", "5"}}).find("WEBHOOK_ACK_TIMEOUT_MS") !=
        std::string::npos);
  CHECK(configErrorOf({{"WEBHOOK_PROVIDERS", "[{\"name\": \"x\"}]"}}).find("WEBHOOK_PROVIDERS: provider 1 (x): field 'scheme'") !=
        std::string::npos);
  CHECK(configErrorOf({{"WEBHOOK_PROVIDERS_FILE", "/nonexistent/providers.json"}})
            .find("WEBHOOK_PROVIDERS_FILE: cannot read /nonexistent/providers.json") != std::string::npos);
}

TEST_CASE("WEBHOOK_PROVIDERS_FILE is read instead of WEBHOOK_PROVIDERS") {
  auto path = std::string("/tmp/webhook-providers-test-") + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"([{"name": "acme", "scheme": "hmac-sha256", "secretsEnv": "ACME", "header": "X-Acme-Signature"}])";
  }
  auto lookup = lookupIn({{"WEBHOOK_PROVIDERS_FILE", path}, {"ACME", "k"}});
  EnvConfig config(GatewaySettings::options(), lookup);
  auto s = GatewaySettings::fromConfig(config, lookup);
  config.finish();
  std::remove(path.c_str());
  REQUIRE(s.providers.size() == 1);
  CHECK(s.providers[0].name == "acme");
}
