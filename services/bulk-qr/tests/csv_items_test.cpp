#include <doctest/doctest.h>

#include "csv_items.h"
#include "qrfleet/utf8.h"

using namespace qrfleet::bulkqr;
using qrfleet::validUtf8;

TEST_CASE("a CSV with a BOM, quoted commas and newlines, and five bad rows") {
  std::string csv =
      "\xEF\xBB\xBF"
      "Label,URL,filename\r\n"
      "\"Table 1, window\",https://qr.example/t1,table-1\r\n"
      "\"two\nlines\",https://qr.example/t2,\r\n"   // row 3 spans two lines
      "no data,,x\r\n"                                 // bad: empty data (row 4)
      "\r\n"                                           // blank: row 5, not an item
      "short\r\n"                                      // bad: no data column (row 6)
      "\"quoted \"\"name\"\"\",\"https://qr.example/q?a=1,b=2\",q\r\n"
      "bad utf8,https://qr.example/\xC3\x28,z\r\n"     // bad: invalid UTF-8 (row 8)
      ",,\r\n"                                         // blank fields only: row 9, not an item
      "  lone ,  https://qr.example/lone  ,y\r\n"        // unquoted fields are trimmed
      "x,,\r\n"                                        // bad (row 11)
      "y,\r\n"                                         // bad (row 12)
      "last,https://qr.example/last";                  // no final newline
  auto parsed = parseCsvItems(csv, 1000);
  REQUIRE(parsed.items.size() == 5);
  CHECK(parsed.items[0].row == 2);
  CHECK(parsed.items[0].label == "Table 1, window");
  CHECK(parsed.items[0].data == "https://qr.example/t1");
  CHECK(parsed.items[0].filename == "table-1");
  CHECK(parsed.items[1].row == 3);
  CHECK(parsed.items[1].label == "two\nlines");
  CHECK_FALSE(parsed.items[1].filename.has_value());
  CHECK(parsed.items[2].row == 7);
  CHECK(parsed.items[2].label == "quoted \"name\"");
  CHECK(parsed.items[2].data == "https://qr.example/q?a=1,b=2");
  CHECK(parsed.items[3].data == "https://qr.example/lone");
  CHECK(parsed.items[3].label == "lone");
  CHECK(parsed.items[3].row == 10);
  CHECK(parsed.items[4].row == 13);
  CHECK(parsed.items[4].data == "https://qr.example/last");
  REQUIRE(parsed.errors.size() == 5);
  std::vector<std::int64_t> rows;
  for (const auto& e : parsed.errors) rows.push_back(e.row);
  CHECK(rows == std::vector<std::int64_t>{4, 6, 8, 11, 12});
  CHECK(parsed.errors[0].reason == "no data in column 2");
  CHECK(parsed.errors[2].reason == "not valid UTF-8");
}

TEST_CASE("rows are numbered as a spreadsheet shows them: blank lines before and between rows count, LF or CRLF") {
  for (std::string nl : {"\n", "\r\n"}) {
    auto parsed = parseCsvItems(nl + "data,label" + nl + nl + nl + "a,1" + nl + ",2" + nl + nl + "\"b" + nl + "c\",3" + nl + "d" + nl,
                                100);
    REQUIRE(parsed.items.size() == 3);
    // row 1 blank, the header row 2, rows 3 and 4 blank, "a" row 5
    CHECK(parsed.items[0].row == 5);
    CHECK(parsed.items[1].row == 8);  // the quoted newline keeps "b c" one row
    CHECK(parsed.items[1].data == "b" + nl + "c");
    CHECK(parsed.items[2].row == 9);
    REQUIRE(parsed.errors.size() == 1);
    CHECK(parsed.errors[0].row == 6);
  }
  CHECK_THROWS_WITH_AS(parseCsvItems("\n\r\n,,\n", 10), "the file is empty", CsvBatchError);
}

TEST_CASE("a CSV without a data column, an empty one and one over the row limit are refused whole") {
  CHECK_THROWS_WITH_AS(parseCsvItems("name,label\nx,y\n", 10), doctest::Contains("names no data column"), CsvBatchError);
  CHECK_THROWS_WITH_AS(parseCsvItems("", 10), "the file is empty", CsvBatchError);
  CHECK_THROWS_WITH_AS(parseCsvItems("data\na\nb\nc\n", 2), "the file has 3 rows; a batch may have at most 2",
                       CsvBatchError);
  CHECK(parseCsvItems("data\na\nb\n", 2).items.size() == 2);
}

TEST_CASE("UTF-8 validation") {
  CHECK(validUtf8("plain"));
  CHECK(validUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(validUtf8("\xC3"));
  CHECK_FALSE(validUtf8("\xC0\x80"));
  CHECK_FALSE(validUtf8("\xE2\x82"));
  CHECK_FALSE(validUtf8("\xFF"));
  CHECK_FALSE(validUtf8("\xE0\x80\xAF"));      // overlong
  CHECK_FALSE(validUtf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(validUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK(validUtf8("\xF4\x8F\xBF\xBF"));       // U+10FFFF
}
