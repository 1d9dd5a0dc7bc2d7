#include <doctest/doctest.h>

#include <stdexcept>

#include "qrfleet/config.h"
#include "qrfleet/duration_text.h"

using namespace qrfleet;
using std::chrono::milliseconds;

namespace {
constexpr std::int64_t kDay = 86400 * 1000;
}

TEST_CASE("durations: s, m, h, d; lists of them") {
  CHECK(parseDuration("2s") == milliseconds(2000));
  CHECK(parseDuration("5m") == milliseconds(300000));
  CHECK(parseDuration("1h") == milliseconds(3600000));
  CHECK(parseDuration("3d") == milliseconds(3 * kDay));
  CHECK(parseDurationList("2s,2s,2s") == std::vector<milliseconds>(3, milliseconds(2000)));
  CHECK(parseDurationList("1d, 3d") == std::vector<milliseconds>{milliseconds(kDay), milliseconds(3 * kDay)});
  for (const char* bad : {"", "d", "5", "5w", "-1d", "0s", "1.5h", "1d,", ",1d", "1d,,2d"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parseDurationList(bad), std::invalid_argument);
  }
}

TEST_CASE("a bad duration in the environment is a ConfigError naming the variable") {
  EnvConfig c({{"A_DELAYS", "retry delays", "1d,3d"}, {"A_WAIT", "a wait", "5m"}},
              [](const std::string& name) -> std::optional<std::string> {
                if (name == "A_DELAYS") return "1d,3x";
                return std::nullopt;
              });
  CHECK(c.duration("A_WAIT") == milliseconds(300000));
  c.durations("A_DELAYS");
  try {
    c.finish();
    FAIL("finish() accepted 1d,3x");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("A_DELAYS") != std::string::npos);
  }
}
