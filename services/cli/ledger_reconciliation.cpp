#include "ledger_reconciliation.h"

#include <map>

namespace qrfleet::cli {

std::string ledgerKindOf(const std::string& category) {
  if (category == "charge") return "payment";
  if (category == "refund" || category == "dispute") return category;
  return "";
}

Reconciliation reconcile(const std::vector<SettlementRow>& report, const std::vector<LedgerRecord>& ledger) {
  Reconciliation out;
  struct Side {
    bool report = false, ledger = false;
    ReconciledItem item;
  };
  std::map<std::pair<std::string, std::string>, Side> byKey;
  for (const auto& row : report) {
    auto kind = ledgerKindOf(row.reportingCategory);
    if (kind.empty()) {
      ++out.ignoredRows;
      continue;
    }
    auto& s = byKey[{row.sourceId, kind}];
    s.report = true;
    s.item.objectId = row.sourceId;
    s.item.kind = kind;
    s.item.currency = row.currency;
    s.item.reportGross += row.gross;
    s.item.lines.push_back(row.line);
  }
  for (const auto& t : ledger) {
    auto& s = byKey[{t.objectId, t.kind}];
    s.ledger = true;
    s.item.objectId = t.objectId;
    s.item.kind = t.kind;
    s.item.ledgerCurrency = t.currency;
    s.item.ledgerGross += t.kind == "payment" ? t.amount : -t.amount;
    s.item.transactionIds.push_back(t.transactionId);
  }
  for (auto& [key, s] : byKey) {
    if (!s.ledger) out.missingInLedger.push_back(std::move(s.item));
    else if (!s.report) out.missingInReport.push_back(std::move(s.item));
    else if (s.item.reportGross != s.item.ledgerGross || s.item.currency != s.item.ledgerCurrency)
      out.mismatches.push_back(std::move(s.item));
    else ++out.matched;
  }
  return out;
}

}  // namespace qrfleet::cli
