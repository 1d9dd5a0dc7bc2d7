#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "settlement_report.h"

namespace qrfleet::cli {

// One transaction of payments.ledger_transactions, as the reconciliation reads it.
struct LedgerRecord {
  std::string transactionId;
  std::string objectId;  // provider_object_id: the charge, refund or dispute
  std::string kind;      // payment | refund | dispute
  std::string currency;
  std::int64_t amount = 0;  // the gross, positive
};

// What a report and the ledger say about one (object, kind), both as the
// report signs it: a payment positive, a refund or dispute negative.
struct ReconciledItem {
  std::string objectId;
  std::string kind;
  std::string currency;
  std::int64_t reportGross = 0;
  std::int64_t ledgerGross = 0;
  std::string ledgerCurrency;
  std::vector<std::size_t> lines;              // the report's lines
  std::vector<std::string> transactionIds;     // the ledger's transactions
};

struct Reconciliation {
  std::size_t matched = 0;
  std::vector<ReconciledItem> missingInLedger;
  std::vector<ReconciledItem> missingInReport;
  std::vector<ReconciledItem> mismatches;  // amount or currency
  std::size_t ignoredRows = 0;             // report rows of other categories (fees, payouts, ...)
  bool clean() const { return missingInLedger.empty() && missingInReport.empty() && mismatches.empty(); }
};

// The ledger kind of a report category: charge -> payment, refund, dispute; "" for the others.
std::string ledgerKindOf(const std::string& reportingCategory);

// Compares the report's rows with the ledger's transactions by (object, kind):
// each side summed per key (a dispute may have several balance transactions),
// then matched when the signed amounts and currencies agree. Results in key order.
Reconciliation reconcile(const std::vector<SettlementRow>& report, const std::vector<LedgerRecord>& ledger);

}  // namespace qrfleet::cli
