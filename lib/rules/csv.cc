#include "rules/csv.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/status_macros.h"

namespace treem::rules {

using internal::Sv;

absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, std::string_view what) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_started = false;  // the current field has content or quotes
  auto end_row = [&]() {
    if (field_started || !row.fields.empty()) {
      row.fields.push_back(std::move(field));
      rows.push_back(std::move(row));
    }
    row = CsvRow();
    field.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Sv(what), ": line ", line, ": a quote inside an unquoted field"));
        }
        in_quotes = true;
        field_started = true;
        break;
      case ',':
        row.fields.push_back(std::move(field));
        field.clear();
        field_started = true;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') break;
        field.push_back(c);
        break;
      case '\n':
        end_row();
        ++line;
        row.line = line;
        break;
      default:
        field.push_back(c);
        field_started = true;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(
        absl::StrCat(Sv(what), ": line ", row.line, ": unterminated quoted field"));
  }
  end_row();
  return rows;
}

absl::StatusOr<CsvHeader> CsvHeader::Make(const CsvRow& header, std::vector<std::string> required,
                                          std::string_view what) {
  CsvHeader h;
  for (const std::string& f : header.fields) {
    std::string name = f;
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
    h.names_.push_back(std::move(name));
  }
  for (const std::string& r : required) {
    if (h.Find(r) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Sv(what), ": header: missing column '", r, "'"));
    }
  }
  return h;
}

int CsvHeader::Find(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view CsvHeader::Get(const CsvRow& row, std::string_view name) const {
  int i = Find(name);
  if (i < 0 || static_cast<size_t>(i) >= row.fields.size()) return {};
  return row.fields[static_cast<size_t>(i)];
}

}  // namespace treem::rules
