#include <doctest/doctest.h>

#include "qrfleet/time_format.h"

using namespace qrfleet;

TEST_CASE("RFC 3339 parsing") {
  CHECK(parseRfc3339Millis("1970-01-01T00:00:00Z") == 0);
  CHECK(parseRfc3339Millis("1970-01-01T00:00:01.5Z") == 1500);
  CHECK(parseRfc3339Millis("2026-11-22T10:15:30.123Z") == 1795342530123);
  CHECK(parseRfc3339Millis("2026-11-22T11:15:30.123+01:00") == 1795342530123);
  CHECK(parseRfc3339Millis("2026-11-22T09:15:30.123-01:00") == 1795342530123);
  CHECK_FALSE(parseRfc3339Millis("2026-02-30T10:15:30Z"));
  CHECK_FALSE(parseRfc3339Millis("2026-11-22 10:15:30Z"));
  CHECK_FALSE(parseRfc3339Millis("2026-11-22T10:15:30"));
  CHECK_FALSE(parseRfc3339Millis("2026-11-22T10:15:30Zjunk"));
  CHECK_FALSE(parseRfc3339Millis("2026-11-22T24:00:00Z"));
  CHECK_FALSE(parseRfc3339Millis("yesterday"));
}

TEST_CASE("formatting round-trips and gives the UTC date") {
  CHECK(formatRfc3339Millis(1795342530123) == "2026-11-22T10:15:30.123Z");
  CHECK(formatUtcDate(1795342530123) == "2026-11-22");
  CHECK(parseRfc3339Millis(formatRfc3339Millis(1234567890123)) == 1234567890123);
}
