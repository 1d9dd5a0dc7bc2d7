#include <doctest/doctest.h>

#include <map>

#include "qrfleet/config.h"
#include "qrfleet/runtime/runtime_settings.h"

using qrfleet::ConfigError;
using qrfleet::EnvConfig;

namespace {
EnvConfig::Lookup env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
std::string errorOf(EnvConfig& c) {
  try {
    c.finish();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("missing required variables are all named in one error") {
  EnvConfig c(qrfleet::RuntimeSettings::options(true), env({}));
  qrfleet::RuntimeSettings::fromConfig(c, true);
  auto msg = errorOf(c);
  CHECK(msg.find("DATABASE_URL: is required") != std::string::npos);
  CHECK(msg.find("REDIS_URL: is required") != std::string::npos);
}

TEST_CASE("bad values name the variable and the problem") {
  EnvConfig c(qrfleet::RuntimeSettings::options(true),
              env({{"DATABASE_URL", "mysql://x"}, {"REDIS_URL", "redis://h:1"}, {"BATCH_MAX_EVENTS", "lots"},
                   {"METRICS_PORT", "70000"}, {"LOG_LEVEL", "loud"}}));
  qrfleet::RuntimeSettings::fromConfig(c, true);
  auto msg = errorOf(c);
  CHECK(msg.find("DATABASE_URL") != std::string::npos);
  CHECK(msg.find("mysql://x") == std::string::npos);  // secret: value not echoed
  CHECK(msg.find("BATCH_MAX_EVENTS: 'lots' is not an integer") != std::string::npos);
  CHECK(msg.find("METRICS_PORT: 70000 is out of range") != std::string::npos);
  CHECK(msg.find("LOG_LEVEL: 'loud' is not one of") != std::string::npos);
  CHECK(msg.find("REDIS_URL") == std::string::npos);
}

TEST_CASE("defaults apply and valid values parse") {
  EnvConfig c(qrfleet::RuntimeSettings::options(true),
              env({{"DATABASE_URL", "postgresql://u@h:5432/db"}, {"REDIS_URL", "redis://h:6379/0"},
                   {"BATCH_MAX_EVENTS", "500"}}));
  auto s = qrfleet::RuntimeSettings::fromConfig(c, true);
  CHECK_NOTHROW(c.finish());
  CHECK(s.batchMaxEvents == 500);
  CHECK(s.metricsPort == 9400);
  CHECK(s.batchMaxWait.count() == 100);
}

TEST_CASE("help lists every variable with its default") {
  auto help = EnvConfig::helpText(qrfleet::RuntimeSettings::options(true));
  CHECK(help.find("DATABASE_URL") != std::string::npos);
  CHECK(help.find("(required)") != std::string::npos);
  CHECK(help.find("BATCH_MAX_EVENTS") != std::string::npos);
  CHECK(help.find("default: 2000") != std::string::npos);
}

TEST_CASE("a worker without a Redis prefix is not asked for REDIS_URL") {
  EnvConfig c(qrfleet::RuntimeSettings::options(false), env({{"DATABASE_URL", "postgresql://u@h:5432/db"}}));
  auto s = qrfleet::RuntimeSettings::fromConfig(c, false);
  CHECK_NOTHROW(c.finish());
  CHECK(s.redisUrl.empty());
  CHECK(EnvConfig::helpText(qrfleet::RuntimeSettings::options(false)).find("REDIS_URL") == std::string::npos);
}

TEST_CASE("integer sets parse, and a bad item names the variable") {
  EnvConfig c({{"IDS", "ids", ""}, {"BAD", "bad", ""}}, env({{"IDS", "3,1,20"}, {"BAD", "4,x"}}));
  CHECK(c.integerSet("IDS") == std::set<std::int64_t>{1, 3, 20});
  c.integerSet("BAD");
  CHECK(errorOf(c).find("BAD: 'x' is not an integer") != std::string::npos);
  EnvConfig empty({{"IDS", "ids", ""}}, env({}));
  CHECK(empty.integerSet("IDS").empty());
}
