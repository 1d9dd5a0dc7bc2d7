// `qrfleet payments reconcile`: a provider's settlement report against the ledger.
#include <fstream>
#include <iostream>
#include <pqxx/pqxx>
#include <sstream>

#include "cli_context.h"
#include "commands.h"
#include "ledger_reconciliation.h"
#include "qrfleet/time_format.h"

namespace qrfleet::cli {

namespace {

struct ReconcileArgs {
  std::string provider = "stripe";
  std::string file;
  std::string from;
  std::string to;
};

std::string amount(std::int64_t minor, const std::string& currency) {
  return formatMinorUnits(minor, currency) + " " + (currency.empty() ? "?" : currency);
}

std::string where(const ReconciledItem& i) {
  std::string out;
  for (auto line : i.lines) out += (out.empty() ? "line " : ", line ") + std::to_string(line);
  for (const auto& t : i.transactionIds) out += (out.empty() ? "" : "; ") + t;
  return out;
}

std::optional<std::string> bound(const std::string& text, const char* option) {
  if (text.empty()) return std::nullopt;
  auto ms = parseRfc3339Millis(text);
  if (!ms) throw std::runtime_error(std::string(option) + " '" + text + "' is not an RFC 3339 time");
  return formatRfc3339Millis(*ms);
}

int reconcileReport(const ReconcileArgs& args) {
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    std::cerr << "qrfleet: cannot read " << args.file << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<SettlementRow> report;
  try {
    report = readSettlementReport(text.str());
  } catch (const SettlementReportError& e) {
    std::cerr << "qrfleet: " << args.file << ": " << e.what() << "\n";
    return 2;
  }
  auto from = bound(args.from, "--from");
  auto to = bound(args.to, "--to");
  CliContext ctx;
  pqxx::connection conn(ctx.databaseUrl());
  pqxx::read_transaction txn(conn);
  std::vector<LedgerRecord> ledger;
  for (const auto& r : txn.exec_params(
           "SELECT transaction_id, provider_object_id, kind, currency, amount FROM payments.ledger_transactions"
           " WHERE provider = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2::timestamptz)"
           " AND ($3::timestamptz IS NULL OR occurred_at < $3::timestamptz) ORDER BY transaction_id",
           args.provider, from, to))
    ledger.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                      r[4].as<std::int64_t>()});
  auto result = reconcile(report, ledger);
  std::cout << "reconcile " << args.provider << " (" << args.file << "): " << result.matched << " matched, "
            << result.missingInLedger.size() << " missing in the ledger, " << result.missingInReport.size()
            << " missing in the report, " << result.mismatches.size() << " amount mismatches";
  if (result.ignoredRows) std::cout << " (" << result.ignoredRows << " report rows of other categories left out)";
  std::cout << "\n";
  for (const auto& i : result.missingInLedger)
    std::cout << "missing in the ledger: " << i.objectId << " " << i.kind << " report " << amount(i.reportGross, i.currency)
              << " (" << where(i) << ")\n";
  for (const auto& i : result.missingInReport)
    std::cout << "missing in the report: " << i.objectId << " " << i.kind << " ledger "
              << amount(i.ledgerGross, i.ledgerCurrency) << " (" << where(i) << ")\n";
  for (const auto& i : result.mismatches)
    std::cout << "amount mismatch: " << i.objectId << " " << i.kind << " report " << amount(i.reportGross, i.currency)
              << ", ledger " << amount(i.ledgerGross, i.ledgerCurrency) << " (" << where(i) << ")\n";
  return result.clean() ? 0 : 1;
}

}  // namespace

void addPaymentsCommand(CLI::App& app) {
  auto* payments = app.add_subcommand("payments", "payments: reconciliation of the ledger");
  payments->require_subcommand(1);
  auto args = std::make_shared<ReconcileArgs>();
  auto* reconcile = payments->add_subcommand(
      "reconcile",
      "compare a provider's settlement report (Stripe's itemized balance report CSV: source_id, reporting_category, "
      "gross, currency) with payments.ledger_transactions; exit 0 when all match, 1 on any difference, 2 on a bad file");
  reconcile->add_option("--provider", args->provider, "the ledger's provider (default: stripe)");
  reconcile->add_option("--file", args->file, "the report (CSV with a header row)")->required();
  reconcile->add_option("--from", args->from, "only ledger transactions at or after this time (RFC 3339)");
  reconcile->add_option("--to", args->to, "only ledger transactions before this time (RFC 3339)");
  reconcile->callback([args] {
    if (int rc = reconcileReport(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace qrfleet::cli
