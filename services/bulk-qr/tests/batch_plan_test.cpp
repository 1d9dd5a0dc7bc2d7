#include <doctest/doctest.h>

#include "batch_plan.h"

using namespace qrfleet;
using namespace qrfleet::bulkqr;

namespace {
CsvItem row(std::int64_t r, std::string data, std::optional<std::string> label = {}, std::optional<std::string> file = {}) {
  return {r, std::move(data), std::move(label), std::move(file)};
}
}  // namespace

TEST_CASE("rows too long for the level are refused, the rest are numbered, named and chunked") {
  events::QrOptions o;
  o.errorCorrection = 'H';
  o.naming.emplace("{label}-{index}");
  std::vector<CsvItem> rows = {row(2, "https://a", "Front door"), row(3, std::string(1274, 'x'), "too long"),
                               row(4, "https://b", "a/b:c"), row(5, "https://c", {}, "own name.png"),
                               row(6, "https://d", "Front door")};
  auto plan = planBatch(rows, {{7, "not valid UTF-8"}}, o, 2);
  REQUIRE(plan.items.size() == 4);
  CHECK(plan.items[0].index == 0);
  CHECK(plan.items[0].entry == "Front door-0");
  CHECK(plan.items[1].entry == "a_b_c-1");   // separators made safe
  CHECK(plan.items[2].entry == "own name");  // the row's filename, without its extension
  CHECK(plan.items[3].entry == "Front door-3");
  REQUIRE(plan.invalid.size() == 2);
  CHECK(plan.invalid[0].row == 3);
  CHECK(plan.invalid[0].reason == "data is 1274 bytes; error correction H holds at most 1273");
  CHECK(plan.invalid[1].row == 7);
  REQUIRE(plan.chunks.size() == 2);
  CHECK(plan.chunks[0].size() == 2);
  CHECK(plan.chunks[1].front().index == 2);
  CHECK(validationReport(plan.invalid) ==
        "row,reason\r\n3,data is 1274 bytes; error correction H holds at most 1273\r\n7,not valid UTF-8\r\n");
}

TEST_CASE("text that is not plain ASCII holds one byte less (its UTF-8 ECI header)") {
  events::QrOptions o;
  o.errorCorrection = 'H';
  std::string accented = "\xC3\xA9";  // é
  std::vector<CsvItem> rows = {row(2, std::string(1270, 'x') + accented, "fits"),
                               row(3, std::string(1271, 'x') + accented, "one over"),
                               row(4, std::string(1273, 'x'), "ascii fits")};
  auto plan = planBatch(rows, {}, o, 10);
  REQUIRE(plan.items.size() == 2);
  REQUIRE(plan.invalid.size() == 1);
  CHECK(plan.invalid[0].row == 3);
  CHECK(plan.invalid[0].reason == "data is 1273 bytes; error correction H holds at most 1272 of non-ASCII text");
}

TEST_CASE("names collide: the later one gets its index") {
  events::QrOptions o;
  auto plan = planBatch({row(2, "a", {}, "same"), row(3, "b", {}, "same"), row(4, "c", {}, ".."), row(5, "d", {}, "same-1"),
                         row(6, "e", {}, "same")},
                        {}, o, 10);
  CHECK(plan.items[0].entry == "same");
  CHECK(plan.items[1].entry == "same-1");
  CHECK(plan.items[2].entry == "2");       // nothing safe left of the name: its index
  CHECK(plan.items[3].entry == "same-1-3");  // taken by the suffixed one before it
  CHECK(plan.items[4].entry == "same-4");
}

TEST_CASE("chunks are cut by count and by bytes, and NUL bytes are refused in any field") {
  events::QrOptions o;
  o.errorCorrection = 'L';
  std::vector<CsvItem> rows;
  for (int i = 0; i < 100; ++i) rows.push_back(row(i + 2, std::string(2900, 'a' + i % 26)));
  rows.push_back(row(200, "x", std::string("a\0b", 3)));
  auto plan = planBatch(rows, {}, o, 250);
  REQUIRE(plan.items.size() == 100);
  CHECK(plan.chunks.size() == 4);  // 33 items of ~3 kB to a chunk (96 kB), not 250
  for (const auto& c : plan.chunks) CHECK(c.size() <= 33);
  REQUIRE(plan.invalid.size() == 1);
  CHECK(plan.invalid[0].reason == "holds a NUL byte");
}

TEST_CASE("chunk requests carry the whole batch's counts") {
  events::BulkBatchRequested b;
  b.batchId = "b1";
  b.ownerId = "u1";
  std::vector<CsvItem> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(row(i + 2, "d" + std::to_string(i)));
  auto plan = planBatch(rows, {{9, "x"}}, b.options, 2);
  auto chunks = chunkRequests(b, plan, std::string("qr/u1/b1/validation-report.csv"), 1764583200000);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[2].chunkId == "b1/2");
  CHECK(chunks[2].chunkCount == 3);
  CHECK(chunks[2].totalItems == 5);
  CHECK(chunks[2].invalidItems == 1);
  CHECK(chunks[2].items.size() == 1);
  auto again = events::BulkChunkRequested::fromEnvelope(
      Envelope{"e", std::string(events::BulkChunkRequested::type), 1, 0, "t", {}, {}, {}, chunks[1].toPayload()});
  CHECK(again.items[1].data == "d3");
  CHECK(again.requestedAtMs == 1764583200000);
}
