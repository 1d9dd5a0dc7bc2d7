#include "ledger_entries.h"

namespace qrfleet::payments {

std::string_view kindName(LedgerKind k) {
  switch (k) {
    case LedgerKind::payment: return "payment";
    case LedgerKind::refund: return "refund";
    case LedgerKind::dispute: return "dispute";
  }
  return "payment";
}

std::string providerBalanceAccount(const std::string& provider) { return "provider:" + provider + ":balance"; }

LedgerTransaction ledgerTransactionFor(LedgerKind kind, const std::string& provider, const std::string& providerEventId,
                                       const std::string& customerId, const std::string& currency,
                                       const std::string& providerObjectId, std::int64_t amount,
                                       std::int64_t occurredAtMs) {
  LedgerTransaction t;
  t.transactionId = provider + ":" + providerEventId;
  t.provider = provider;
  t.providerEventId = providerEventId;
  t.kind = kind;
  t.customerId = customerId;
  t.currency = currency;
  t.providerObjectId = providerObjectId;
  t.amount = amount;
  t.occurredAtMs = occurredAtMs;
  const auto balance = providerBalanceAccount(provider);
  switch (kind) {
    case LedgerKind::payment: t.entries = {{balance, amount}, {"revenue", -amount}}; break;
    case LedgerKind::refund: t.entries = {{"refunds", amount}, {balance, -amount}}; break;
    case LedgerKind::dispute: t.entries = {{"disputes", amount}, {balance, -amount}}; break;
  }
  return t;
}

bool balanced(const LedgerTransaction& t) {
  std::int64_t sum = 0;
  for (const auto& e : t.entries) sum += e.amount;
  return sum == 0 && !t.entries.empty();
}

}  // namespace qrfleet::payments
