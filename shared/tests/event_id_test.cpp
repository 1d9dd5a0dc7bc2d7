#include <doctest/doctest.h>

#include "qrfleet/event_id.h"

using namespace qrfleet;

TEST_CASE("uuid v5 matches the RFC 4122 reference value") {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  CHECK(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST_CASE("derived event ids are deterministic and distinct per index") {
  auto a = deterministicEventId("0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10", 0);
  CHECK(a == deterministicEventId("0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10", 0));
  CHECK(a != deterministicEventId("0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10", 1));
  CHECK(isUuid(a));
  CHECK(a[14] == '5');
}

TEST_CASE("random uuids are v4 and unique") {
  auto a = randomUuid(), b = randomUuid();
  CHECK(isUuid(a));
  CHECK(a[14] == '4');
  CHECK(a != b);
  CHECK_FALSE(isUuid("not-a-uuid"));
}
