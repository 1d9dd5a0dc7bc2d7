#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qrfleet::bulkqr {

// One data row of an uploaded CSV, numbered as a spreadsheet shows it: every
// line counts, blank ones too (the header is row 1 when nothing precedes it);
// a quoted field with newlines is still one row.
struct CsvItem {
  std::int64_t row = 0;
  std::string data;
  std::optional<std::string> label;
  std::optional<std::string> filename;
};
struct CsvRowError {
  std::int64_t row = 0;
  std::string reason;
};
struct CsvItems {
  std::vector<CsvItem> items;
  std::vector<CsvRowError> errors;  // rows that cannot be items; they never fail the batch
};

// The file as a whole cannot be read as a batch (no header naming a data
// column, more rows than allowed): the batch is rejected with this message.
class CsvBatchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses an upload with libcsv: RFC 4180 quoting (commas, quotes and
// newlines inside quoted fields), a UTF-8 byte-order mark, CRLF or LF. Blank
// lines and rows of empty fields are skipped but counted in the numbering.
// The header row names the columns, in any order and case: `data` (or `url`,
// `content`), optional `label` and `filename`; other columns are ignored. A
// row without data, with invalid UTF-8 or with a NUL byte is reported, not
// thrown; more than `maxRows` data rows (per batch) refuse the file whole.
CsvItems parseCsvItems(std::string_view bytes, std::size_t maxRows);

}  // namespace qrfleet::bulkqr
