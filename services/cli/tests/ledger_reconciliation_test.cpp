#include <doctest/doctest.h>

#include "ledger_reconciliation.h"

using namespace qrfleet::cli;

namespace {
SettlementRow row(std::size_t line, const char* id, const char* category, std::int64_t gross, const char* currency = "EUR") {
  return {line, id, category, gross, currency};
}
LedgerRecord tx(const char* id, const char* object, const char* kind, std::int64_t amount, const char* currency = "EUR") {
  return {id, object, kind, currency, amount};
}
}  // namespace

TEST_CASE("everything matches: charges positive, refunds and disputes negative") {
  auto r = reconcile({row(2, "ch_1", "charge", 1234), row(3, "re_1", "refund", -200), row(4, "dp_1", "dispute", -1034),
                      row(5, "po_1", "payout", -5000)},
                     {tx("stripe:evt_1", "ch_1", "payment", 1234), tx("stripe:evt_2", "re_1", "refund", 200),
                      tx("stripe:evt_3", "dp_1", "dispute", 1034)});
  CHECK(r.clean());
  CHECK(r.matched == 3);
  CHECK(r.ignoredRows == 1);
}

TEST_CASE("differences: missing on either side, amounts and currencies that disagree") {
  auto r = reconcile({row(2, "ch_1", "charge", 1234), row(3, "ch_2", "charge", 500), row(4, "re_1", "refund", -300),
                      row(5, "ch_4", "charge", 100, "USD")},
                     {tx("stripe:evt_1", "ch_1", "payment", 1234), tx("stripe:evt_2", "re_1", "refund", 200),
                      tx("stripe:evt_3", "ch_3", "payment", 700), tx("stripe:evt_4", "ch_4", "payment", 100)});
  CHECK_FALSE(r.clean());
  CHECK(r.matched == 1);
  REQUIRE(r.missingInLedger.size() == 1);
  CHECK(r.missingInLedger[0].objectId == "ch_2");
  CHECK(r.missingInLedger[0].lines == std::vector<std::size_t>{3});
  REQUIRE(r.missingInReport.size() == 1);
  CHECK(r.missingInReport[0].objectId == "ch_3");
  CHECK(r.missingInReport[0].ledgerGross == 700);
  CHECK(r.missingInReport[0].transactionIds == std::vector<std::string>{"stripe:evt_3"});
  REQUIRE(r.mismatches.size() == 2);
  CHECK(r.mismatches[0].objectId == "ch_4");  // key order: ch_4 before re_1
  CHECK(r.mismatches[0].currency == "USD");
  CHECK(r.mismatches[0].ledgerCurrency == "EUR");
  CHECK(r.mismatches[1].objectId == "re_1");
  CHECK(r.mismatches[1].reportGross == -300);
  CHECK(r.mismatches[1].ledgerGross == -200);
}

TEST_CASE("an object is matched per kind, and several rows of one key add up") {
  auto r = reconcile({row(2, "dp_1", "dispute", -600), row(3, "dp_1", "dispute", -400)},
                     {tx("stripe:evt_1", "dp_1", "dispute", 1000), tx("stripe:evt_2", "dp_1", "refund", 10)});
  CHECK(r.matched == 1);
  REQUIRE(r.missingInReport.size() == 1);
  CHECK(r.missingInReport[0].kind == "refund");
  CHECK(ledgerKindOf("charge") == "payment");
  CHECK(ledgerKindOf("fee").empty());
}
