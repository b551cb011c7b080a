// extern "C" definitions of treem/c/rules.h.
#include "treem/c/rules.h"

#include <memory>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "capi/schema_out.h"
#include "capnp/message.h"
#include "internal/status_macros.h"
#include "rules/api.h"
#include "treem/schema/rules.capnp.h"

struct treem_rules {
  std::unique_ptr<treem::rules::RuleRegistry> impl;
};

namespace treem::capi {
namespace {

// Decodes a request of type Req, runs `fn(registry, reader, builder)` into a fresh Res and
// writes it to `out` in `out_fmt`. Both formats are checked before any work.
template <typename Req, typename Res, typename Fn>
absl::Status RunRequest(const char* fn_name, treem_buf* out, const treem_rules* rules,
                        const uint8_t* request, size_t len, treem_format in_fmt,
                        treem_format out_fmt, Fn&& fn) {
  if (out == nullptr || rules == nullptr) {
    return Misuse(absl::StrCat(fn_name, ": null argument"));
  }
  treem_buf_dispose(out);  // an out-parameter is disposed first, so it is empty on error
  TREEM_RETURN_IF_ERROR(ToFormat(in_fmt, "in_fmt").status());
  TREEM_ASSIGN_OR_RETURN(serde::Format format, ToFormat(out_fmt, "out_fmt"));
  capnp::MallocMessageBuilder in;
  TREEM_RETURN_IF_ERROR(ReadMessage<Req>(request, len, in_fmt, in, "request"));
  capnp::MallocMessageBuilder result;
  auto root = result.initRoot<Res>();
  TREEM_RETURN_IF_ERROR(fn(*rules->impl, in.getRoot<Req>().asReader(), root));
  return WriteMessage<Res>(out, root.asReader(), format);
}

}  // namespace
}  // namespace treem::capi

using treem::capi::Guard;
using treem::capi::Misuse;
namespace schema = treem::schema;

extern "C" {

treem_status treem_rules_new(treem_rules** out) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr) return Misuse("treem_rules_new: out is null");
    *out = nullptr;
    TREEM_ASSIGN_OR_RETURN(auto registry, treem::rules::NewRuleRegistry());
    *out = new treem_rules{std::move(registry)};
    return absl::OkStatus();
  });
}

void treem_rules_free(treem_rules* rules) { delete rules; }

treem_status treem_rules_load_codes(treem_rules* rules, const uint8_t* csv, size_t len,
                                    const char* what) {
  return Guard([&]() -> absl::Status {
    if (rules == nullptr) return Misuse("treem_rules_load_codes: rules is null");
    if (csv == nullptr && len != 0) {
      return Misuse("treem_rules_load_codes: csv is null with non-zero length");
    }
    const std::string_view text(reinterpret_cast<const char*>(csv), csv == nullptr ? 0 : len);
    return treem::rules::LoadCodeList(*rules->impl, text,
                                      what == nullptr ? std::string_view("code list") : what);
  });
}

treem_status treem_classify(treem_buf* out, const treem_rules* rules, const uint8_t* request,
                            size_t len, treem_format in_fmt, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    return treem::capi::RunRequest<schema::ClassifyRequest, schema::ClassificationResult>(
        "treem_classify", out, rules, request, len, in_fmt, out_fmt,
        [](const auto& reg, auto req, auto res) { return treem::rules::Classify(reg, req, res); });
  });
}

treem_status treem_judge_child(treem_buf* out, const treem_rules* rules, const uint8_t* request,
                               size_t len, treem_format in_fmt, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    return treem::capi::RunRequest<schema::ChildVerdictRequest, schema::ChildVerdict>(
        "treem_judge_child", out, rules, request, len, in_fmt, out_fmt,
        [](const auto& reg, auto req, auto res) {
          return treem::rules::JudgeChild(reg, req, res);
        });
  });
}

treem_status treem_screen_risk(treem_buf* out, const treem_rules* rules, const uint8_t* request,
                               size_t len, treem_format in_fmt, treem_format out_fmt) {
  return Guard([&]() -> absl::Status {
    return treem::capi::RunRequest<schema::RiskScreenRequest, schema::RiskResult>(
        "treem_screen_risk", out, rules, request, len, in_fmt, out_fmt,
        [](const auto& reg, auto req, auto res) {
          return treem::rules::ScreenRisk(reg, req, res);
        });
  });
}

treem_status treem_describe_code(treem_buf* out, const treem_rules* rules, const char* code,
                                 treem_format fmt) {
  return Guard([&]() -> absl::Status {
    if (out == nullptr || rules == nullptr || code == nullptr) {
      return Misuse("treem_describe_code: null argument");
    }
    treem_buf_dispose(out);
    TREEM_ASSIGN_OR_RETURN(auto format, treem::capi::ToFormat(fmt, "fmt"));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::CodeEntry>();
    TREEM_RETURN_IF_ERROR(treem::rules::DescribeCode(*rules->impl, code, root));
    return treem::capi::WriteMessage<schema::CodeEntry>(out, root.asReader(), format);
  });
}

}  // extern "C"
