#include "settlement_report.h"

#include "qrfleet/money.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <map>

namespace qrfleet::cli {

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}
}  // namespace

SettlementReportError::SettlementReportError(std::size_t line, std::string column, const std::string& problem)
    : std::runtime_error("line " + std::to_string(line) + (column.empty() ? "" : ", column " + column) + ": " +
                         problem),
      line_(line),
      column_(std::move(column)) {}

std::vector<CsvRecord> parseCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> out;
  std::size_t line = 1, i = 0;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    bool endOfRecord = false;
    while (!endOfRecord) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        const auto opened = line;
        ++i;
        while (true) {
          if (i >= text.size()) throw SettlementReportError(opened, "", "a quoted field is not closed");
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          throw SettlementReportError(line, "", "text after a closing quote (a quote inside a field is written \"\")");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"')
            throw SettlementReportError(line, "", "a quote inside an unquoted field (quote the field, double the quote)");
          field += text[i++];
        }
      }
      record.fields.push_back(std::move(field));
      if (i >= text.size()) {
        endOfRecord = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        endOfRecord = true;
      }
    }
    bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) out.push_back(std::move(record));
  }
  return out;
}

std::vector<SettlementRow> readSettlementReport(std::string_view text) {
  auto records = parseCsv(text);
  if (records.empty()) throw SettlementReportError(1, "", "the file is empty: a header row is required");
  const auto& header = records.front();
  std::map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < header.fields.size(); ++c) index.emplace(trim(header.fields[c]), c);
  const std::array<const char*, 4> required = {"source_id", "reporting_category", "gross", "currency"};
  for (const char* name : required)
    if (!index.count(name))
      throw SettlementReportError(header.line, name,
                                  "the header row has no such column (it needs source_id, reporting_category, gross "
                                  "and currency)");
  std::vector<SettlementRow> out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.fields.size() != header.fields.size())
      throw SettlementReportError(rec.line, "",
                                  std::to_string(rec.fields.size()) + " fields where the header has " +
                                      std::to_string(header.fields.size()));
    auto field = [&](const char* name) { return trim(rec.fields[index.at(name)]); };
    SettlementRow row;
    row.line = rec.line;
    row.sourceId = field("source_id");
    row.reportingCategory = field("reporting_category");
    auto currency = field("currency");
    if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
      throw SettlementReportError(rec.line, "currency", "'" + currency + "' is not an ISO 4217 code");
    row.currency = upper(currency);
    if (row.sourceId.empty()) throw SettlementReportError(rec.line, "source_id", "is empty");
    try {
      row.gross = minorUnits(field("gross"), row.currency);
    } catch (const std::invalid_argument& e) {
      throw SettlementReportError(rec.line, "gross", e.what());
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace qrfleet::cli
