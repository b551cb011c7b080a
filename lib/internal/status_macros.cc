#include "internal/status_macros.h"

#include "absl/strings/str_cat.h"

namespace treem::internal {

absl::Status FromKj(const kj::Exception& e, absl::StatusCode on_failed) {
  std::string msg(e.getDescription().cStr());
  switch (e.getType()) {
    case kj::Exception::Type::OVERLOADED:
      return absl::ResourceExhaustedError(msg);
    case kj::Exception::Type::DISCONNECTED:
      return absl::UnavailableError(msg);
    case kj::Exception::Type::UNIMPLEMENTED:
      return absl::UnimplementedError(msg);
    default:
      return absl::Status(on_failed, msg);
  }
}

absl::Status Annotate(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(Sv(context), ": ", s.message()));
}

}  // namespace treem::internal
