#include "csv_items.h"

#include <csv.h>

#include "qrfleet/utf8.h"

#include <algorithm>
#include <cstdint>
#include <memory>

namespace qrfleet::bulkqr {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

struct Collector {
  std::size_t maxRows = 0;
  std::vector<std::string> fields;
  std::int64_t row = 0;  // the row a spreadsheet shows: blank lines count, a quoted newline does not
  int lastTerminator = 0;
  bool headerSeen = false;
  int dataColumn = -1, labelColumn = -1, filenameColumn = -1;
  std::size_t dataRows = 0;
  bool tooMany = false;
  CsvItems out;

  void header() {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto name = lower(trimmed(fields[i]));
      int col = static_cast<int>(i);
      if ((name == "data" || name == "url" || name == "content") && dataColumn < 0) dataColumn = col;
      else if (name == "label" && labelColumn < 0) labelColumn = col;
      else if (name == "filename" && filenameColumn < 0) filenameColumn = col;
    }
    if (dataColumn < 0)
      throw CsvBatchError("the header row names no data column (data, url or content) among its " +
                          std::to_string(fields.size()) + " column(s)");
  }

  std::optional<std::string> column(int c) const {
    if (c < 0 || static_cast<std::size_t>(c) >= fields.size() || fields[static_cast<std::size_t>(c)].empty())
      return std::nullopt;
    return fields[static_cast<std::size_t>(c)];
  }

  // libcsv (CSV_REPALL_NL) reports every unquoted CR and LF outside a record
  // as an empty record, so the LF of a CRLF arrives as one of its own.
  void endRow(int terminator) {
    bool crlfTail = fields.empty() && terminator == '\n' && lastTerminator == '\r';
    lastTerminator = terminator;
    if (crlfTail) return;
    ++row;
    bool blank = std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return f.empty(); });
    if (!headerSeen) {
      if (!blank) {
        header();
        headerSeen = true;
      }
    } else if (blank) {
      // A blank line is not a row of the batch.
    } else if (++dataRows > maxRows) {
      tooMany = true;
    } else {
      auto data = column(dataColumn);
      bool utf8 = std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return validUtf8(f); });
      bool nul = std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return f.find('\0') != std::string::npos; });
      if (!utf8) out.errors.push_back({row, "not valid UTF-8"});
      else if (nul) out.errors.push_back({row, "holds a NUL byte"});
      else if (!data) out.errors.push_back({row, "no data in column " + std::to_string(dataColumn + 1)});
      else out.items.push_back({row, *data, column(labelColumn), column(filenameColumn)});
    }
    fields.clear();
  }
};

void onField(void* field, std::size_t length, void* self) {
  static_cast<Collector*>(self)->fields.emplace_back(static_cast<const char*>(field), length);
}
void onRow(int terminator, void* self) { static_cast<Collector*>(self)->endRow(terminator); }

}  // namespace

CsvItems parseCsvItems(std::string_view bytes, std::size_t maxRows) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  csv_parser parser;
  if (csv_init(&parser, CSV_REPALL_NL) != 0) throw std::runtime_error("libcsv: cannot initialise a parser");
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free{&parser};
  Collector c;
  c.maxRows = maxRows;
  if (csv_parse(&parser, bytes.data(), bytes.size(), onField, onRow, &c) != bytes.size())
    throw CsvBatchError(std::string("the file is not CSV: ") + csv_strerror(csv_error(&parser)));
  csv_fini(&parser, onField, onRow, &c);
  if (!c.headerSeen) throw CsvBatchError("the file is empty");
  if (c.tooMany)
    throw CsvBatchError("the file has " + std::to_string(c.dataRows) + " rows; a batch may have at most " +
                        std::to_string(maxRows));
  return std::move(c.out);
}

}  // namespace qrfleet::bulkqr
