// Replays stored inputs through a fuzz target without libFuzzer (gcc builds, ASan builds):
//
//   treem_fuzz_<target> DIR_OR_FILE...
//
// Every regular file of each directory (sorted by name; names starting with '.' and README*
// skipped) and every file argument is passed once to LLVMFuzzerTestOneInput. A missing
// directory is skipped with a note (tests/fuzz/regressions/<target>/ exists only once a
// regression was found). Fails when nothing at all was replayed. ctest runs it as
// fuzz.replay.<target> over tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool Skipped(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return name.empty() || name[0] == '.' || name.rfind("README", 0) == 0;
}

bool RunFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  // A heap block of exactly the input's size, as libFuzzer passes it (ASan sees overreads).
  std::unique_ptr<uint8_t[]> exact(new uint8_t[std::max<size_t>(bytes.size(), 1)]);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", p.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file() && !Skipped(entry.path())) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (!RunFile(f)) return 1;
        ++replayed;
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      if (!RunFile(arg)) return 1;
      ++replayed;
    } else {
      std::fprintf(stderr, "note: %s does not exist, skipped\n", argv[i]);
    }
  }
  std::printf("replayed %zu inputs without a crash\n", replayed);
  if (replayed == 0) {
    std::fprintf(stderr, "no input found: give corpus directories or files\n");
    return 1;
  }
  return 0;
}
