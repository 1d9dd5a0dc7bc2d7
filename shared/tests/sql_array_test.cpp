#include <doctest/doctest.h>

#include "qrfleet/runtime/consumed_batch.h"
#include "qrfleet/sql_array.h"

using namespace qrfleet;

TEST_CASE("SqlArray: quoted, escaped text, numbers, booleans and NULLs") {
  CHECK(SqlArray().str() == "{}");
  SqlArray a;
  a.add("plain").add("with \"quotes\" and \\ backslash").add("a,b{c}").addNull();
  CHECK(a.str() == R"({"plain","with \"quotes\" and \\ backslash","a,b{c}",NULL})");
  CHECK(a.size() == 4);
  SqlArray n;
  n.add(std::int64_t{-5}).add(std::int64_t{42}).addBool(true).addBool(false);
  CHECK(n.str() == "{-5,42,t,f}");
}

TEST_CASE("ConsumedBatch: later chunks append when their epochs agree") {
  TopicPartition p0{"t", 0}, p1{"t", 1};
  ConsumedBatch a, b, c;
  a.firstOffsets[p0] = 10;
  a.lastOffsets[p0] = 19;
  a.epochs[p0] = 3;
  a.bytes = 100;
  b.firstOffsets[p0] = 20;
  b.lastOffsets[p0] = 29;
  b.epochs[p0] = 3;
  b.firstOffsets[p1] = 5;
  b.lastOffsets[p1] = 6;
  b.epochs[p1] = 1;
  b.bytes = 50;
  c.epochs[p0] = 4;  // read under a new claim: not the same batch
  REQUIRE(a.canAppend(b));
  CHECK_FALSE(a.canAppend(c));
  a.append(std::move(b));
  CHECK(a.firstOffsets.at(p0) == 10);
  CHECK(a.lastOffsets.at(p0) == 29);
  CHECK(a.firstOffsets.at(p1) == 5);
  CHECK(a.lastOffsets.at(p1) == 6);
  CHECK(a.bytes == 150);
}
