// Helpers shared by the fuzz targets (tests/fuzz/*_fuzz.cc; docs/fuzzing.md).
//
// A fuzz target must never crash on any input: decoders return statuses. The targets also
// check a few invariants that must hold for every input (a decoded message re-encodes and
// decodes to the same canonical bytes, a recovered store accepts a write, ...); a violated
// invariant calls FuzzFail, which prints the reason and aborts, so libFuzzer (and the replay
// runner) report it like a crash.
#ifndef TREEM_TESTS_FUZZ_FUZZ_UTIL_H_
#define TREEM_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace treem::fuzz {

[[noreturn]] inline void FuzzFail(std::string_view what, const absl::Status& status = {}) {
  std::fprintf(stderr, "fuzz invariant violated: %.*s%s%s\n", static_cast<int>(what.size()),
               what.data(), status.ok() ? "" : ": ", status.ok() ? "" : status.ToString().c_str());
  std::abort();
}

// TREEM_FUZZ_VERBOSE=1: targets print what became of each input (to check that the seeds
// reach deep code: commands applied, files loaded).
inline bool Verbose() {
  static const bool verbose = std::getenv("TREEM_FUZZ_VERBOSE") != nullptr;
  return verbose;
}
inline void Note(std::string_view what, const absl::Status& status) {
  if (Verbose()) {
    std::fprintf(stderr, "  %.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 status.ToString().c_str());
  }
}

// The bytes as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The text as bytes (what StoreEngine::Append and WriteSnapshot take).
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Splits the input at every occurrence of `separator` into at most `max_parts` parts (the last
// part keeps the rest). Multi-file targets use it: "households\n%%\nchildren".
inline std::vector<std::string_view> SplitParts(std::string_view text, std::string_view separator,
                                                size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  parts.push_back(text);
  return parts;
}

// The separator between the files of one input in the multi-file targets.
inline constexpr std::string_view kFileSeparator = "\n%%treem%%\n";

}  // namespace treem::fuzz

#endif  // TREEM_TESTS_FUZZ_FUZZ_UTIL_H_
