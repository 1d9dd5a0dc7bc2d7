#include <doctest/doctest.h>

#include "settlement_report.h"

using namespace qrfleet::cli;

TEST_CASE("RFC 4180: quotes, doubled quotes, commas and line breaks in fields, CRLF, a BOM") {
  auto records = parseCsv("\xEF\xBB\xBF" "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(records[1].fields == std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"});
  CHECK(records[1].line == 2);
  CHECK(records[2].line == 5);
  CHECK(records[2].fields == std::vector<std::string>{"last", "", ""});
  CHECK(parseCsv("a,b").size() == 1);
  CHECK_THROWS_AS(parseCsv("a,\"open\n"), SettlementReportError);
  CHECK_THROWS_AS(parseCsv("a,b\"c\n"), SettlementReportError);
  CHECK_THROWS_AS(parseCsv("a,\"b\"c\n"), SettlementReportError);
}

TEST_CASE("a report: any column order, other columns ignored, problems named by line and column") {
  auto rows = readSettlementReport(
      "balance_transaction_id,currency,gross,fee,reporting_category,source_id\n"
      "txn_1,eur,12.34,-0.50,charge,ch_1\n"
      "txn_2,eur,-2.00,0.00,refund,re_1\n"
      "txn_3,jpy,500,0,charge,ch_2\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].sourceId == "ch_1");
  CHECK(rows[0].reportingCategory == "charge");
  CHECK(rows[0].gross == 1234);
  CHECK(rows[0].currency == "EUR");
  CHECK(rows[0].line == 2);
  CHECK(rows[1].gross == -200);
  CHECK(rows[2].gross == 500);

  try {
    readSettlementReport("source_id,reporting_category,gross,currency\nch_1,charge,12.34,eur\nch_2,charge,1.2.3,eur\n");
    FAIL("accepted a bad amount");
  } catch (const SettlementReportError& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == "gross");
    CHECK(std::string(e.what()).find("line 3, column gross") == 0);
  }
  try {
    readSettlementReport("source_id,gross,currency\nch_1,1.00,eur\n");
    FAIL("accepted a header without reporting_category");
  } catch (const SettlementReportError& e) {
    CHECK(e.line() == 1);
    CHECK(e.column() == "reporting_category");
  }
  try {
    readSettlementReport("source_id,reporting_category,gross,currency\nch_1,charge,1.00\n");
    FAIL("accepted a short row");
  } catch (const SettlementReportError& e) {
    CHECK(e.line() == 2);
  }
  CHECK_THROWS_AS(readSettlementReport("source_id,reporting_category,gross,currency\nch_1,charge,1.00,euro\n"),
                  SettlementReportError);
  CHECK_THROWS_AS(readSettlementReport(""), SettlementReportError);
  CHECK(readSettlementReport("source_id,reporting_category,gross,currency\n").empty());
}
