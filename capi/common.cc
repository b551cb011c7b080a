// extern "C" definitions of treem/c/common.h: version, errors, buffers.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "capi/guard.h"
#include "internal/status_macros.h"

namespace treem::capi {
namespace {

constexpr size_t kMessageCap = 1024;
thread_local char tl_message[kMessageCap] = "no error";
thread_local treem_error tl_error = {TREEM_OK, TREEM_DETAIL_NONE, tl_message};

// A detail code travels in the status payload so that Misuse() survives propagation.
constexpr char kDetailUrl[] = "treem.detail";

void CopyMessage(const char* msg, size_t len) noexcept {
  if (msg == nullptr) msg = "", len = 0;
  if (len >= kMessageCap) len = kMessageCap - 1;
  std::memcpy(tl_message, msg, len);
  tl_message[len] = '\0';
}

}  // namespace

treem_status SetLastErrorRaw(treem_status code, int32_t detail, const char* msg) noexcept {
  CopyMessage(msg, msg ? std::strlen(msg) : 0);
  tl_error.code = code;
  tl_error.detail = detail;
  tl_error.message = tl_message;
  return code;
}

treem_status SetLastError(const absl::Status& s) noexcept {
  int32_t detail = TREEM_DETAIL_NONE;
  if (auto p = s.GetPayload(kDetailUrl); p.has_value()) {
    detail = static_cast<int32_t>(std::atoi(std::string(*p).c_str()));
  }
  CopyMessage(s.message().data(), s.message().size());
  tl_error.code = static_cast<treem_status>(s.code());
  tl_error.detail = detail;
  tl_error.message = tl_message;
  return tl_error.code;
}

treem_status CodeForKj(kj::Exception::Type t, treem_status on_failed) noexcept {
  switch (t) {
    case kj::Exception::Type::OVERLOADED:
      return TREEM_RESOURCE_EXHAUSTED;
    case kj::Exception::Type::DISCONNECTED:
      return TREEM_UNAVAILABLE;
    case kj::Exception::Type::UNIMPLEMENTED:
      return TREEM_UNIMPLEMENTED;
    default:
      return on_failed;
  }
}

absl::Status Misuse(std::string_view what) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat("misuse: ", internal::Sv(what)));
  s.SetPayload(kDetailUrl, absl::Cord("1"));
  return s;
}

absl::Status FillBuf(treem_buf* out, std::string_view bytes) {
  treem_buf_dispose(out);
  // malloc(0) may return NULL; always allocate at least one byte so data is non-NULL.
  auto* p = static_cast<uint8_t*>(std::malloc(bytes.size() + 1));
  if (p == nullptr) return absl::ResourceExhaustedError("out of memory");
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  p[bytes.size()] = 0;  // JSON/text results are also usable as C strings
  out->data = p;
  out->size = bytes.size();
  out->reserved_ = 0x7472656dU;  // "trem": marks library ownership
  return absl::OkStatus();
}

}  // namespace treem::capi

extern "C" {

uint32_t treem_version_number(void) { return TREEM_VERSION_NUMBER; }

const char* treem_version_string(void) { return TREEM_VERSION_STRING_; }

const treem_error* treem_error_last(void) { return &treem::capi::tl_error; }

const char* treem_status_name(treem_status code) {
  switch (code) {
    case TREEM_OK: return "OK";
    case TREEM_CANCELLED: return "CANCELLED";
    case TREEM_UNKNOWN: return "UNKNOWN";
    case TREEM_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case TREEM_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case TREEM_NOT_FOUND: return "NOT_FOUND";
    case TREEM_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case TREEM_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case TREEM_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case TREEM_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case TREEM_ABORTED: return "ABORTED";
    case TREEM_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case TREEM_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case TREEM_INTERNAL: return "INTERNAL";
    case TREEM_UNAVAILABLE: return "UNAVAILABLE";
    case TREEM_DATA_LOSS: return "DATA_LOSS";
    case TREEM_UNAUTHENTICATED: return "UNAUTHENTICATED";
    case TREEM_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case TREEM_CALLBACK_ERROR: return "CALLBACK_ERROR";
    default: return "UNKNOWN_STATUS";
  }
}

void treem_buf_dispose(treem_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->data);
  buf->data = nullptr;
  buf->size = 0;
  buf->reserved_ = 0;
}

}  // extern "C"
