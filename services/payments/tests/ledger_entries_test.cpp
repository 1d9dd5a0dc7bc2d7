#include <doctest/doctest.h>

#include "ledger_entries.h"

using namespace qrfleet::payments;

TEST_CASE("each kind's entries balance and name the accounts") {
  auto pay = ledgerTransactionFor(LedgerKind::payment, "stripe", "evt_1", "cus_1", "EUR", "ch_1", 1234, 0);
  CHECK(pay.transactionId == "stripe:evt_1");
  CHECK(balanced(pay));
  REQUIRE(pay.entries.size() == 2);
  CHECK(pay.entries[0].account == "provider:stripe:balance");
  CHECK(pay.entries[0].amount == 1234);
  CHECK(pay.entries[1].account == "revenue");
  CHECK(pay.entries[1].amount == -1234);

  auto refund = ledgerTransactionFor(LedgerKind::refund, "stripe", "evt_2", "cus_1", "EUR", "re_1", 500, 0);
  CHECK(balanced(refund));
  CHECK(refund.entries[0].account == "refunds");
  CHECK(refund.entries[0].amount == 500);
  CHECK(refund.entries[1].account == "provider:stripe:balance");
  CHECK(refund.entries[1].amount == -500);
  CHECK(refund.providerObjectId == "re_1");

  auto dispute = ledgerTransactionFor(LedgerKind::dispute, "adyen", "evt_3", "cus_1", "JPY", "dp_1", 700, 0);
  CHECK(balanced(dispute));
  CHECK(dispute.entries[0].account == "disputes");
  CHECK(dispute.entries[1].account == "provider:adyen:balance");
  CHECK(kindName(dispute.kind) == "dispute");
}

TEST_CASE("a payment refunded in full leaves the provider balance at zero") {
  auto pay = ledgerTransactionFor(LedgerKind::payment, "stripe", "evt_1", "cus_1", "EUR", "ch_1", 1000, 0);
  auto r1 = ledgerTransactionFor(LedgerKind::refund, "stripe", "evt_2", "cus_1", "EUR", "re_1", 400, 0);
  auto r2 = ledgerTransactionFor(LedgerKind::refund, "stripe", "evt_3", "cus_1", "EUR", "re_2", 600, 0);
  std::int64_t balance = 0;
  for (const auto* t : {&pay, &r1, &r2})
    for (const auto& e : t->entries)
      if (e.account == providerBalanceAccount("stripe")) balance += e.amount;
  CHECK(balance == 0);
}

TEST_CASE("entries that do not sum to zero are unbalanced") {
  auto t = ledgerTransactionFor(LedgerKind::payment, "stripe", "evt_1", "cus_1", "EUR", "ch_1", 1000, 0);
  t.entries[1].amount = -999;
  CHECK_FALSE(balanced(t));
  t.entries.clear();
  CHECK_FALSE(balanced(t));
}
