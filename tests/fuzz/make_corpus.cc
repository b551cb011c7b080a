// Writes the binary seeds of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*): capnp,
// packed and JSON messages (codec), journal segments and snapshots (store_journal), registry
// stores as snapshot + journal entries (registry_open) and binary commands (registry_apply).
// The text seeds come from tests/fuzz/make_corpus.py. docs/fuzzing.md.
//
//   build/tests/fuzz/treem_fuzz_make_corpus [CORPUS_DIR]   (default: the source tree's)
//
// Everything is built from valid inputs: the demo commune's commands
// (examples/demo/data/events.jsonl, written by python3 examples/demo/generate_demo.py)
// applied to a registry in an in-memory file system.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capnp/message.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/registry_fuzz_util.h"
#include "indicators/plan.h"
#include "registry/registry.h"
#include "serde/codec.h"
#include "store/engine.h"
#include "treem/schema/cases.capnp.h"
#include "treem/schema/commands.capnp.h"
#include "treem/schema/units.capnp.h"
#include "unit/fault_fs.h"

namespace treem::fuzz {
namespace {

using serde::Format;

std::filesystem::path g_corpus;
size_t g_written = 0;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  const std::filesystem::path dir = g_corpus / target;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  g_written += bytes.size();
}

[[noreturn]] void Die(std::string_view what, const absl::Status& s) { FuzzFail(what, s); }

std::vector<std::string> ReadLines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// codec_fuzz.cc: byte 0 = type << 2 | format (0 capnp, 1 packed, 2 json, 3 strict json).
enum CodecType : uint8_t {
  kCommand = 0,
  kCommandBatch = 1,
  kJournalEntry = 2,
  kSnapshot = 3,
  kCaseCommand = 4,
  kDeadlineQuery = 5,
  kAdminUnitList = 6,
  kProgrammePlan = 7,
};

template <typename T>
void CodecSeeds(CodecType type, const std::string& name, typename T::Reader reader,
                bool strict_too = false) {
  const Format formats[] = {Format::kCapnp, Format::kPacked, Format::kJson};
  for (int f = 0; f < 3; ++f) {
    absl::StatusOr<std::string> bytes = serde::Encode<T>(reader, formats[f]);
    if (!bytes.ok()) Die("encode", bytes.status());
    const char selector = static_cast<char>((type << 2) | f);
    Write("codec", absl::StrCat(name, "-", serde::FormatName(formats[f])), selector + *bytes);
    if (f == 2 && strict_too) {
      Write("codec", absl::StrCat(name, "-json-strict"),
            static_cast<char>((type << 2) | 3) + *bytes);
    }
  }
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += kFileSeparator;
    out += parts[i];
  }
  return out;
}

void StoreJournalSeeds() {
  store::testing::MemFs fs;
  store::StoreOptions o;
  o.fs = &fs;
  o.sync = store::SyncPolicy::kNormal;
  o.sync_interval_ms = 0;
  o.sync_every_records = 3;     // synced_seq advances inside the segment
  o.segment_size_limit = 4096;  // the minimum: 12 records of ~400 bytes rotate
  const std::string dir = "/s";
  {
    auto e = store::StoreEngine::Open(dir, o);
    if (!e.ok()) Die("store", e.status());
    for (int i = 1; i <= 12; ++i) {
      if (!(*e)->Append(AsBytes(absl::StrCat("record ", i, std::string(300 + i * 7, 'x')))).ok()) {
        Die("append", absl::UnknownError(""));
      }
    }
    if (!(*e)->Close().ok()) Die("close", absl::UnknownError(""));
  }
  std::vector<std::string> files;
  auto listed = fs.ListDir(dir);
  if (!listed.ok()) Die("list", listed.status());
  for (const std::string& n : *listed) {
    if (n.rfind("journal-", 0) == 0) files.push_back(*fs.Contents(dir + "/" + n));
  }
  if (files.size() < 2) Die("expected a rotation", absl::UnknownError(""));
  // flags byte: bit 0 repair CRCs, bit 1 small max_record_size (store_journal_fuzz.cc).
  Write("store_journal", "one-segment", std::string(1, '\0') + files[0]);
  Write("store_journal", "two-segments", std::string(1, '\0') + Join({files[0], files[1]}));
  Write("store_journal", "torn-tail",
        std::string(1, '\0') + files[0].substr(0, files[0].size() - 5));
  Write("store_journal", "repair-crcs", std::string(1, '\1') + files[0]);
  Write("store_journal", "small-records", std::string(1, '\2') + files[0]);

  // With a snapshot: a checkpoint compacts the first segments away.
  {
    auto e = store::StoreEngine::Open(dir, o);
    if (!e.ok()) Die("store", e.status());
    if (!(*e)->WriteSnapshot(AsBytes("snapshot state"), 10).ok())
      Die("snap", absl::UnknownError(""));
    if (!(*e)->Append(AsBytes("after the snapshot")).ok()) Die("append", absl::UnknownError(""));
    if (!(*e)->Close().ok()) Die("close", absl::UnknownError(""));
  }
  std::vector<std::string> journals;
  std::string snapshot;
  listed = fs.ListDir(dir);
  for (const std::string& n : *listed) {
    if (n.rfind("journal-", 0) == 0) journals.push_back(*fs.Contents(dir + "/" + n));
    if (n.rfind("snapshot-", 0) == 0) snapshot = *fs.Contents(dir + "/" + n);
  }
  // The fuzz target names segments journal-000001/2: keep the last one as the first.
  if (!journals.empty() && !snapshot.empty()) {
    Write("store_journal", "snapshot",
          std::string(1, '\0') + Join({journals.back(), "", snapshot}));
  }
}

}  // namespace
}  // namespace treem::fuzz

int main(int argc, char** argv) {
  using namespace treem;
  using namespace treem::fuzz;
  g_corpus = argc > 1 ? std::filesystem::path(argv[1])
                      : std::filesystem::path(TREEM_SOURCE_DIR) / "tests/fuzz/corpus";
  const std::vector<std::string> events =
      ReadLines(std::filesystem::path(TREEM_SOURCE_DIR) / "examples/demo/data/events.jsonl");
  if (events.size() < 40) Die("examples/demo/data/events.jsonl", absl::NotFoundError("missing"));

  // ---- codec: commands of several kinds, a batch, a case command, a plan, queries ----
  std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> commands;
  for (const std::string& line : events) {
    auto mb = std::make_unique<capnp::MallocMessageBuilder>();
    if (!serde::DecodeInto<schema::Command>(line, Format::kJson, *mb).ok()) continue;
    commands.push_back(std::move(mb));
  }
  auto command = [&](size_t i) { return commands.at(i)->getRoot<schema::Command>().asReader(); };
  for (size_t i : {size_t{0}, size_t{1}, size_t{80}, size_t{110}, size_t{111}, size_t{112}}) {
    CodecSeeds<schema::Command>(kCommand, absl::StrCat("command-", i), command(i), i == 1);
  }
  {
    capnp::MallocMessageBuilder mb;
    auto list = mb.initRoot<schema::CommandBatch>().initCommands(3);
    for (unsigned i = 0; i < 3; ++i) list.setWithCaveats(i, command(i + 1));
    CodecSeeds<schema::CommandBatch>(kCommandBatch, "batch", mb.getRoot<schema::CommandBatch>());
  }
  for (size_t i : {size_t{110}, size_t{113}, size_t{121}}) {
    auto p = command(i).getPayload();
    if (p.isCaseCommand()) {
      CodecSeeds<schema::CaseCommand>(kCaseCommand, absl::StrCat("case-command-", i),
                                      p.getCaseCommand());
    }
  }
  {
    capnp::MallocMessageBuilder mb;
    auto q = mb.initRoot<schema::DeadlineQuery>();
    q.initAt().setMicros(kFuzzEpochMicros);
    q.setIncludeOverdue(true);
    q.setIncludeDueSoon(true);
    CodecSeeds<schema::DeadlineQuery>(kDeadlineQuery, "deadline-query", q.asReader());
  }
  {
    capnp::MallocMessageBuilder mb;
    auto units = mb.initRoot<schema::AdminUnitList>().initUnits(2);
    units[0].setCode("38");
    units[0].setName("Tỉnh Thanh Hóa");
    units[1].setCode("15865");
    units[1].setName("Xã Hoằng Hóa");
    units[1].setParentCode("38");
    CodecSeeds<schema::AdminUnitList>(kAdminUnitList, "admin-units",
                                      mb.getRoot<schema::AdminUnitList>().asReader());
  }
  {
    absl::StatusOr<indicators::PlanMessage> plan = indicators::LoadEmbeddedPlan("hoang-duc-2023");
    if (!plan.ok()) Die("plan", plan.status());
    CodecSeeds<schema::ProgrammePlan>(kProgrammePlan, "plan", plan->reader());
  }

  // ---- a registry with the demo's first commands: journal entries and a snapshot ----
  store::testing::MemFs fs;
  const registry::RegistryOptions options = FuzzRegistryOptions(&fs);
  std::vector<std::string> entries_before, entries_after;
  std::string snapshot_payload;
  {
    auto r = registry::Registry::Create(kRegistryDir, options);
    if (!r.ok()) Die("registry", r.status());
    size_t applied = 0;
    for (size_t i = 0; i < 40; ++i) {
      if ((*r)->ApplyBytes(events[i], Format::kJson).ok()) ++applied;
      if (i == 24) {
        // With MemFs the indicator column files fail after the snapshot is written (see
        // registry_fuzz_util.h): the snapshot is what the seeds need.
        absl::StatusOr<uint64_t> c = (*r)->Checkpoint();
        if (!c.ok() && c.status().message().find("indicator columns") == std::string_view::npos) {
          Die("checkpoint", c.status());
        }
      }
    }
    std::printf("registry: %zu of 40 demo commands applied\n", applied);
    capnp::MallocMessageBuilder mb;
    auto snap = mb.initRoot<schema::Snapshot>();
    if (absl::Status s = (*r)->Snapshot(snap); !s.ok()) Die("snapshot", s);
    CodecSeeds<schema::Snapshot>(kSnapshot, "snapshot", snap.asReader());
  }
  {
    store::StoreOptions so;
    so.fs = &fs;
    so.read_only = true;
    auto e = store::StoreEngine::Open(kRegistryDir, so);
    if (!e.ok()) Die("store", e.status());
    const uint64_t covers = (*e)->LatestSnapshot()->covers_seq();
    auto payload = (*e)->LatestSnapshot()->payload();
    snapshot_payload.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
    absl::Status s = (*e)->ReadFrom((*e)->first_journal_seq(), [&](uint64_t seq, auto p) {
      (seq <= covers ? entries_before : entries_after)
          .emplace_back(reinterpret_cast<const char*>(p.data()), p.size());
      return absl::OkStatus();
    });
    if (!s.ok()) Die("read", s);
  }
  size_t n = 0;
  for (const std::string& entry : entries_after) {
    if (n++ >= 4) break;
    capnp::MallocMessageBuilder mb;
    if (!serde::DecodeInto<schema::JournalEntry>(entry, Format::kCapnp, mb).ok()) continue;
    CodecSeeds<schema::JournalEntry>(kJournalEntry, absl::StrCat("journal-entry-", n),
                                     mb.getRoot<schema::JournalEntry>().asReader());
  }
  // registry_open_fuzz.cc: snapshot payload, then journal entries.
  {
    std::vector<std::string> parts{snapshot_payload};
    parts.insert(parts.end(), entries_after.begin(), entries_after.end());
    Write("registry_open", "snapshot-and-journal", Join(parts));
    Write("registry_open", "snapshot-only", snapshot_payload);
  }

  // A fresh registry's full journal (no snapshot) for registry_open.
  {
    store::testing::MemFs fs2;
    const registry::RegistryOptions o2 = FuzzRegistryOptions(&fs2);
    {
      auto r = registry::Registry::Create(kRegistryDir, o2);
      if (!r.ok()) Die("registry", r.status());
      for (size_t i = 0; i < 12; ++i) (void)(*r)->ApplyBytes(events[i], Format::kJson);
    }
    store::StoreOptions so;
    so.fs = &fs2;
    so.read_only = true;
    auto e = store::StoreEngine::Open(kRegistryDir, so);
    if (!e.ok()) Die("store", e.status());
    std::vector<std::string> parts{""};
    absl::Status s = (*e)->ReadFrom(1, [&](uint64_t, auto p) {
      parts.emplace_back(reinterpret_cast<const char*>(p.data()), p.size());
      return absl::OkStatus();
    });
    if (!s.ok()) Die("read", s);
    Write("registry_open", "journal-only", Join(parts));
  }

  // ---- registry_apply, binary mode: byte 0 bit 0 packed, bit 1 batch, bit 2 atomic ----
  for (size_t i : {size_t{1}, size_t{80}}) {
    auto capnp_bytes = serde::Encode<schema::Command>(command(i), Format::kCapnp);
    auto packed_bytes = serde::Encode<schema::Command>(command(i), Format::kPacked);
    if (!capnp_bytes.ok() || !packed_bytes.ok()) Die("encode", absl::UnknownError(""));
    Write("registry_apply", absl::StrCat("binary-command-", i),
          std::string(1, '\0') + *capnp_bytes);
    Write("registry_apply", absl::StrCat("packed-command-", i),
          std::string(1, '\1') + *packed_bytes);
  }
  {
    capnp::MallocMessageBuilder mb;
    auto list = mb.initRoot<schema::CommandBatch>().initCommands(2);
    list.setWithCaveats(0, command(1));
    list.setWithCaveats(1, command(2));
    auto bytes = serde::Encode<schema::CommandBatch>(mb.getRoot<schema::CommandBatch>().asReader(),
                                                     Format::kCapnp);
    if (!bytes.ok()) Die("encode", bytes.status());
    Write("registry_apply", "binary-batch-atomic", std::string(1, '\6') + *bytes);
    Write("registry_apply", "binary-batch-loose", std::string(1, '\2') + *bytes);
  }

  StoreJournalSeeds();
  std::printf("wrote %zu bytes of seeds under %s\n", g_written, g_corpus.c_str());
  return 0;
}
