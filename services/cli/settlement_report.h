#pragma once
#include "qrfleet/money.h"
#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::cli {

// A settlement report that cannot be read: where (1-based line, and the
// column's name when one is to blame) and why.
class SettlementReportError : public std::runtime_error {
 public:
  SettlementReportError(std::size_t line, std::string column, const std::string& problem);
  std::size_t line() const { return line_; }
  const std::string& column() const { return column_; }

 private:
  std::size_t line_;
  std::string column_;
};

// One record of an RFC 4180 CSV text and the line it starts on.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};
// Fields separated by commas, records by CRLF or LF; a field in double quotes
// may hold commas, quotes (doubled) and line breaks. A UTF-8 byte order mark
// is skipped; blank lines are left out. Throws SettlementReportError.
std::vector<CsvRecord> parseCsv(std::string_view text);


// One row of Stripe's itemized balance report, as the reconciliation reads it.
struct SettlementRow {
  std::size_t line = 0;
  std::string sourceId;           // ch_..., re_..., dp_...
  std::string reportingCategory;  // charge | refund | dispute | anything else (left out)
  std::int64_t gross = 0;         // minor units, signed as in the report (refunds, disputes negative)
  std::string currency;           // upper case
};

// Reads the report: a header row naming at least source_id,
// reporting_category, gross and currency (any order; other columns are
// ignored), then one row per balance transaction. Throws
// SettlementReportError naming the line and column of the first problem.
std::vector<SettlementRow> readSettlementReport(std::string_view text);

}  // namespace qrfleet::cli
