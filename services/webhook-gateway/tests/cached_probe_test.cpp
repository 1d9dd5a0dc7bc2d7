#include <doctest/doctest.h>

#include "cached_probe.h"

using namespace qrfleet::webhook;

TEST_CASE("a cached probe asks again only once its answer is older than the ttl") {
  auto now = CachedProbe::Clock::time_point{} + std::chrono::hours(1);
  int asked = 0;
  bool reachable = true;
  CachedProbe probe([&] { return ++asked, reachable; }, std::chrono::milliseconds(1000), [&] { return now; });
  CHECK(probe.answer());
  reachable = false;
  now += std::chrono::milliseconds(999);
  CHECK(probe.answer());
  CHECK(asked == 1);
  now += std::chrono::milliseconds(1);
  CHECK_FALSE(probe.answer());
  CHECK(asked == 2);
}
