#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::payments {

// Double-entry bookkeeping of the money a provider moved
// (payments.ledger_transactions and ledger_entries): debits positive, credits
// negative, each transaction summing to zero per currency.
//   payment: debit provider:<p>:balance, credit revenue
//   refund:  debit refunds,  credit provider:<p>:balance
//   dispute: debit disputes, credit provider:<p>:balance
enum class LedgerKind { payment, refund, dispute };
std::string_view kindName(LedgerKind k);

struct LedgerEntry {
  std::string account;
  std::int64_t amount = 0;  // signed minor units
};

struct LedgerTransaction {
  std::string transactionId;  // "<provider>:<providerEventId>"
  std::string provider;
  std::string providerEventId;
  LedgerKind kind = LedgerKind::payment;
  std::string customerId;
  std::string currency;
  // What a settlement report names: the charge, the refund, the dispute.
  std::string providerObjectId;
  std::int64_t amount = 0;  // the gross, positive
  std::int64_t occurredAtMs = 0;
  std::vector<LedgerEntry> entries;
};

std::string providerBalanceAccount(const std::string& provider);

LedgerTransaction ledgerTransactionFor(LedgerKind kind, const std::string& provider, const std::string& providerEventId,
                                       const std::string& customerId, const std::string& currency,
                                       const std::string& providerObjectId, std::int64_t amount,
                                       std::int64_t occurredAtMs);

// Whether the entries sum to zero (one currency per transaction).
bool balanced(const LedgerTransaction& t);

}  // namespace qrfleet::payments
