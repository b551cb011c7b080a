#include "internal/embedded.h"

namespace treem::internal {

std::optional<std::string_view> EmbeddedFile(std::string_view path) {
  for (const EmbeddedEntry& e : EmbeddedFiles()) {
    if (path == e.path) return e.bytes;
  }
  return std::nullopt;
}

}  // namespace treem::internal
