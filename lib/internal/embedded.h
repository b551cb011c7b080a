// Data files compiled into the library from the repository's data/ folder.
#ifndef TREEM_LIB_INTERNAL_EMBEDDED_H_
#define TREEM_LIB_INTERNAL_EMBEDDED_H_

#include <optional>
#include <span>
#include <string_view>

namespace treem::internal {

struct EmbeddedEntry {
  const char* path;  // relative to data/, with '/' separators
  std::string_view bytes;
};

// Every embedded file, sorted by path.
std::span<const EmbeddedEntry> EmbeddedFiles();

// The bytes of data/<path>, or nullopt when no such file was embedded.
std::optional<std::string_view> EmbeddedFile(std::string_view path);

}  // namespace treem::internal

#endif  // TREEM_LIB_INTERNAL_EMBEDDED_H_
