#include "indicators/render.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "capnp/schema.h"
#include "internal/status_macros.h"

namespace treem::indicators {
namespace {

namespace s = schema;

template <typename E>
std::string EnumName(E v) {
  auto schema = capnp::Schema::from<E>();
  auto list = schema.getEnumerants();
  const auto i = static_cast<unsigned>(v);
  if (i < list.size()) return std::string(list[i].getProto().getName().cStr());
  return absl::StrCat(i);
}

std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Number(double v) {
  if (std::isnan(v)) return "";
  return absl::StrFormat("%.4f", v);
}

std::string Html(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct CellText {
  std::string sex, band, ethnicity, minority, poverty, residence;
};

CellText Cell(s::Disaggregation::Reader d) {
  CellText t;
  if (d.getBySex()) t.sex = EnumName(d.getSex());
  if (d.getByStatBand()) t.band = EnumName(d.getStatBand());
  if (d.getByEthnicity()) t.ethnicity = EnumName(d.getEthnicity());
  if (d.getByEthnicMinority()) t.minority = d.getEthnicMinority() ? "minority" : "kinh";
  if (d.getByPoverty()) t.poverty = EnumName(d.getPoverty());
  if (d.getByResidence()) t.residence = EnumName(d.getResidence());
  return t;
}

bool IsTotal(s::Disaggregation::Reader d) {
  return !d.getBySex() && !d.getByStatBand() && !d.getByEthnicity() && !d.getByEthnicMinority() &&
         !d.getByPoverty() && !d.getByResidence();
}

std::string PeriodLabel(s::Period::Reader p) {
  switch (p.getKind()) {
    case s::PeriodKind::YEAR:
      return absl::StrCat(p.getYear());
    case s::PeriodKind::HALF:
      return absl::StrCat(p.getYear(), "-H", p.getIndex());
    case s::PeriodKind::QUARTER:
      return absl::StrCat(p.getYear(), "-Q", p.getIndex());
    case s::PeriodKind::MONTH:
      return absl::StrFormat("%d-%02d", p.getYear(), p.getIndex());
    default:
      return absl::StrFormat("%04d-%02d-%02d..%04d-%02d-%02d", p.getStart().getYear(),
                             p.getStart().getMonth(), p.getStart().getDay(), p.getEnd().getYear(),
                             p.getEnd().getMonth(), p.getEnd().getDay());
  }
}

}  // namespace

std::string RenderCsv(s::Report::Reader report) {
  std::string out =
      "indicator,unit_code,period,sex,stat_band,ethnicity,ethnic_minority,poverty,residence,"
      "numerator,denominator,value,suppressed,target,target_status\n";
  for (auto v : report.getValues()) {
    const CellText c = Cell(v.getDisaggregation());
    const bool has_target = v.getTargetStatus() != s::TargetStatus::NO_TARGET;
    absl::StrAppend(&out, CsvField(v.getIndicatorId().cStr()), ",",
                    CsvField(v.getUnitCode().cStr()), ",", PeriodLabel(v.getPeriod()), ",", c.sex,
                    ",", c.band, ",", c.ethnicity, ",", c.minority, ",", c.poverty, ",",
                    c.residence, ",");
    if (v.getSuppressed()) {
      absl::StrAppend(&out, ",,,1,");
    } else {
      absl::StrAppend(&out, v.getNumerator(), ",", v.getDenominator(), ",", Number(v.getValue()),
                      ",0,");
    }
    absl::StrAppend(&out, has_target ? Number(v.getTarget()) : "", ",",
                    EnumName(v.getTargetStatus()), "\n");
  }
  return out;
}

std::string RenderHtml(s::Report::Reader report) {
  std::map<std::string, s::IndicatorDefinition::Reader> defs;
  for (auto d : report.getDefinitions()) defs.emplace(d.getId().cStr(), d);
  std::string title = report.getTitle().size() > 0
                          ? std::string(report.getTitle().cStr())
                          : std::string("Báo cáo chỉ tiêu / Indicator report");
  std::string out;
  absl::StrAppend(
      &out, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>", Html(title),
      "</title><style>body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;"
      "padding:3px 8px;text-align:right}th{background:#eee}td.l{text-align:left}"
      ".met{color:#1a7f37}.notMet{color:#c62828}section{margin-bottom:2em}"
      "</style></head><body>\n<h1>",
      Html(title), "</h1>\n<p>Đơn vị / unit: <b>",
      report.getUnitCode().size() > 0 ? Html(report.getUnitCode().cStr()) : "toàn quốc / national",
      "</b> &middot; Kỳ / period: <b>", PeriodLabel(report.getPeriod()),
      "</b> &middot; Bản đồ / map: ", EnumName(report.getMapVersion()));
  if (report.getDeidentified()) absl::StrAppend(&out, " &middot; de-identified");
  if (report.getSuppression().getMethod() != s::SuppressionMethod::NONE) {
    absl::StrAppend(
        &out, " &middot; small-cell protection: ", EnumName(report.getSuppression().getMethod()),
        " ", report.getSuppression().getMinCount(), "-", report.getSuppression().getMaxCount());
  }
  absl::StrAppend(&out, "</p>\n");
  // Group values by indicator, in definition order.
  for (auto d : report.getDefinitions()) {
    const std::string id = d.getId().cStr();
    std::vector<s::IndicatorValue::Reader> vals;
    for (auto v : report.getValues())
      if (v.getIndicatorId() == d.getId()) vals.push_back(v);
    if (vals.empty()) continue;
    const bool percent = d.getUnit() == s::IndicatorUnit::PERCENT;
    absl::StrAppend(&out, "<section id=\"", Html(id), "\"><h2>", Html(id), ". ",
                    Html(d.getNameVi().cStr()), "</h2><p><i>", Html(d.getNameEn().cStr()), "</i> (",
                    EnumName(d.getUnit()), ", ", EnumName(d.getDirection()), ")</p>\n");
    // Chart: one bar per unit (totals), with the target as a line.
    std::vector<s::IndicatorValue::Reader> totals;
    for (auto v : vals)
      if (IsTotal(v.getDisaggregation())) totals.push_back(v);
    double scale = percent ? 100.0 : 0.0;
    for (auto v : totals) {
      if (!std::isnan(v.getValue())) scale = std::max(scale, v.getValue());
      if (v.getTargetStatus() != s::TargetStatus::NO_TARGET) scale = std::max(scale, v.getTarget());
    }
    if (scale <= 0) scale = 1;
    const int bar_h = 22, width = 560, left = 90;
    const int height = static_cast<int>(totals.size()) * (bar_h + 6) + 24;
    absl::StrAppend(&out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", left + width + 80,
                    "\" height=\"", height, "\" role=\"img\" aria-label=\"", Html(id), "\">");
    int y = 4;
    for (auto v : totals) {
      const std::string unit = v.getUnitCode().size() > 0 ? v.getUnitCode().cStr() : "VN";
      const double val = std::isnan(v.getValue()) ? 0 : v.getValue();
      const int w = static_cast<int>(width * val / scale);
      absl::StrAppend(&out, "<text x=\"0\" y=\"", y + 15, "\" font-size=\"12\">", Html(unit),
                      "</text>", "<rect x=\"", left, "\" y=\"", y, "\" width=\"", w, "\" height=\"",
                      bar_h, "\" fill=\"#4a78b5\"/><text x=\"", left + w + 4, "\" y=\"", y + 15,
                      "\" font-size=\"12\">",
                      v.getSuppressed() ? std::string("*")
                                        : (std::isnan(v.getValue()) ? std::string("-")
                                                                    : absl::StrFormat("%.1f", val)),
                      "</text>");
      if (v.getTargetStatus() != s::TargetStatus::NO_TARGET) {
        const int tx = left + static_cast<int>(width * v.getTarget() / scale);
        absl::StrAppend(&out, "<line x1=\"", tx, "\" y1=\"", y - 2, "\" x2=\"", tx, "\" y2=\"",
                        y + bar_h + 2, "\" stroke=\"#c62828\" stroke-width=\"2\"><title>target ",
                        absl::StrFormat("%g", v.getTarget()), "</title></line>");
      }
      y += bar_h + 6;
    }
    absl::StrAppend(&out, "<text x=\"", left, "\" y=\"", height - 4,
                    "\" font-size=\"11\" fill=\"#555\">red line: target / chỉ tiêu</text></svg>\n");
    // Table.
    absl::StrAppend(&out,
                    "<table><tr><th>unit</th><th>cell</th><th>numerator</th><th>denominator</th>"
                    "<th>value</th><th>target</th><th>status</th></tr>\n");
    for (auto v : vals) {
      const CellText c = Cell(v.getDisaggregation());
      std::string cell;
      for (const std::string* part :
           {&c.sex, &c.band, &c.ethnicity, &c.minority, &c.poverty, &c.residence})
        if (!part->empty()) absl::StrAppend(&cell, cell.empty() ? "" : " ", *part);
      if (cell.empty()) cell = "total";
      const std::string status = EnumName(v.getTargetStatus());
      absl::StrAppend(&out, "<tr><td class=\"l\">",
                      Html(v.getUnitCode().size() > 0 ? v.getUnitCode().cStr() : "VN"),
                      "</td><td class=\"l\">", cell, "</td>");
      if (v.getSuppressed()) {
        absl::StrAppend(&out, "<td>*</td><td>*</td><td>*</td>");
      } else {
        absl::StrAppend(
            &out, "<td>", v.getNumerator(), "</td><td>",
            d.getDenominator().getSelector().size() > 0 ? absl::StrCat(v.getDenominator()) : "",
            "</td><td>",
            std::isnan(v.getValue()) ? std::string("-") : absl::StrFormat("%.2f", v.getValue()),
            "</td>");
      }
      absl::StrAppend(&out, "<td>",
                      v.getTargetStatus() != s::TargetStatus::NO_TARGET
                          ? absl::StrFormat("%g", v.getTarget())
                          : "",
                      "</td><td class=\"", status, "\">", status, "</td></tr>\n");
    }
    absl::StrAppend(
        &out, "</table><p><small>Tử số / numerator: ", Html(d.getNumerator().getTextEn().cStr()));
    if (d.getDenominator().getSelector().size() > 0)
      absl::StrAppend(&out,
                      "<br>Mẫu số / denominator: ", Html(d.getDenominator().getTextEn().cStr()));
    absl::StrAppend(&out, "</small></p></section>\n");
  }
  if (report.getNotes().size() > 0) {
    absl::StrAppend(&out, "<h2>Ghi chú / notes</h2><ul>");
    for (auto n : report.getNotes()) absl::StrAppend(&out, "<li>", Html(n.cStr()), "</li>");
    absl::StrAppend(&out, "</ul>");
  }
  absl::StrAppend(&out, "<p><small>* withheld (small-cell protection)</small></p></body></html>\n");
  return out;
}

absl::StatusOr<std::string> EncodeReport(s::Report::Reader report, serde::Format format) {
  return serde::Encode<s::Report>(report, format);
}

}  // namespace treem::indicators
