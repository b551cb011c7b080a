// Fuzz target: lib/registry end to end from bytes. A fresh registry (in-memory file system,
// any unit, fixed clock) per input; commands from the fuzzer go through Registry::ApplyBytes
// (JSON, capnp, packed) and Registry::ApplyBatch (atomic or not).
//
// Input, JSON mode (byte 0 >= 0x08): one command per line as JSON (docs/schema.md), applied
// in order, so a line can refer to records of earlier lines. A line "batch {...}" or
// "loose {...}" holds a CommandBatch applied atomically or one command at a time.
// Binary mode (byte 0 < 0x08): bit 0 packed (else capnp), bit 1 a CommandBatch (else one
// Command), bit 2 atomic; the rest is the message.
//
// Invariants besides "no crash": a refusal other than kPermissionDenied (which is journaled
// as an audit record) changes neither the state (compared whole for the first four commands
// of an input, by record counts after them) nor the journal; whatever was applied comes
// back identical after a reopen (journal replay) and after a checkpoint (snapshot load).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "fuzz/registry_fuzz_util.h"

namespace treem::fuzz {
namespace {

using registry::Registry;
using serde::Format;

serde::DecodeOptions Limits() {
  serde::DecodeOptions o;
  o.max_bytes = size_t{1} << 20;
  o.traversal_limit_words = uint64_t{1} << 17;
  return o;
}

// Known bug (tests/fuzz/regressions/registry_apply/batch-exception-no-rollback): when reading
// a command throws while the registry stages it (a decodable binary message whose Text field,
// e.g. actor.userId, points to a list of words), the staged changes are not rolled back: in an
// atomic batch the commands before the broken one stay applied in memory, unjournaled. The probe
// applies such a batch to a scratch registry; while the bug is there, binary inputs that do not
// read back whole are skipped. Once the registry rolls back on exceptions, the probe finds the bug
// gone and every input is applied again.
bool RegistryKeepsStagedChangesOnException() {
  store::testing::MemFs fs;
  auto r = Registry::Create(kRegistryDir, FuzzRegistryOptions(&fs));
  if (!r.ok()) FuzzFail("creating the probe registry", r.status());
  capnp::MallocMessageBuilder mb;
  auto cmds = mb.initRoot<schema::CommandBatch>().initCommands(2);
  for (unsigned i = 0; i < 2; ++i) FillProbeCommand(cmds[i], i);
  // The second command's actor.userId: a list of words instead of text.
  MakeTextUnreadable<schema::Actor>(cmds[1].getActor(), "userId");
  const size_t before = (*r)->Count(schema::RecordKind::PERSON);
  const absl::StatusOr<uint64_t> applied =
      (*r)->ApplyBatch(mb.getRoot<schema::CommandBatch>().asReader());
  Note("probe batch", applied.status());
  const bool refused = !applied.ok();
  return refused && (*r)->Count(schema::RecordKind::PERSON) != before;
}

// Applies one unit of input; returns the status of the attempt.
absl::Status ApplyOne(Registry& r, std::string_view bytes, Format format, bool batch, bool atomic) {
  static const bool no_rollback_bug = [] {
    const bool bug = RegistryKeepsStagedChangesOnException();
    if (Verbose()) std::fprintf(stderr, "probe: staged changes kept on exception: %d\n", bug);
    return bug;
  }();
  if (!batch && !(no_rollback_bug && format != Format::kJson)) {
    return r.ApplyBytes(bytes, format).status();
  }
  capnp::MallocMessageBuilder mb;
  if (!batch) {
    absl::Status s = serde::DecodeInto<schema::Command>(bytes, format, mb, Limits());
    if (!s.ok()) return s;
    if (!FullyReadable(capnp::toDynamic(mb.getRoot<schema::Command>().asReader()))) {
      return absl::OkStatus();  // skipped: see RegistryKeepsStagedChangesOnException
    }
    return r.Apply(mb.getRoot<schema::Command>().asReader()).status();
  }
  absl::Status s = serde::DecodeInto<schema::CommandBatch>(bytes, format, mb, Limits());
  if (!s.ok()) return s;
  if (no_rollback_bug &&
      !FullyReadable(capnp::toDynamic(mb.getRoot<schema::CommandBatch>().asReader()))) {
    return absl::OkStatus();  // skipped: see RegistryKeepsStagedChangesOnException
  }
  return r.ApplyBatch(mb.getRoot<schema::CommandBatch>().asReader(), atomic).status();
}

// The number of records of every kind: a cheap stand-in for the state.
std::vector<size_t> Counts(const Registry& r) {
  std::vector<size_t> counts;
  for (int k = 1; k <= static_cast<int>(schema::RecordKind::ADMIN_UNIT); ++k) {
    counts.push_back(r.Count(static_cast<schema::RecordKind>(k)));
  }
  return counts;
}

// `full`: compare the whole state around a refusal (costly: the first commands of an input
// only); else the journal position and the record counts.
void Attempt(Registry& r, std::string_view bytes, Format format, bool batch, bool atomic,
             bool full) {
  const uint64_t seq = r.last_seq();
  const std::string state = full ? StateBytes(r) : std::string();
  const std::vector<size_t> counts = Counts(r);
  const absl::Status s = ApplyOne(r, bytes, format, batch, atomic);
  Note("apply", s);
  if (s.ok() || s.code() == absl::StatusCode::kPermissionDenied) return;
  if (batch && !atomic) return;  // the commands before the refused one stay
  if (r.last_seq() != seq) FuzzFail("a refused command was journaled");
  if (Counts(r) != counts) FuzzFail("a refused command changed the record counts");
  if (full && StateBytes(r) != state) FuzzFail("a refused command changed the state");
}

}  // namespace
}  // namespace treem::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace treem;
  using namespace treem::fuzz;
  if (size < 1) return 0;
  store::testing::MemFs fs;
  const registry::RegistryOptions options = FuzzRegistryOptions(&fs);
  absl::StatusOr<std::unique_ptr<registry::Registry>> created =
      registry::Registry::Create(kRegistryDir, options);
  if (!created.ok()) FuzzFail("creating the registry", created.status());
  std::unique_ptr<registry::Registry> r = *std::move(created);
  const uint64_t initial_seq = r->last_seq();

  const std::string_view input = AsText(data, size);
  if (data[0] < 0x08) {
    const bool packed = data[0] & 1, batch = data[0] & 2, atomic = data[0] & 4;
    Attempt(*r, input.substr(1), packed ? serde::Format::kPacked : serde::Format::kCapnp, batch,
            atomic, /*full=*/true);
  } else {
    size_t n = 0;
    for (std::string_view line : SplitParts(input, "\n", 64)) {
      if (line.empty()) continue;
      const bool full = n++ < 4;
      if (line.substr(0, 6) == "batch " || line.substr(0, 6) == "loose ") {
        Attempt(*r, line.substr(6), serde::Format::kJson, true, line[0] == 'b', full);
      } else {
        Attempt(*r, line, serde::Format::kJson, false, false, full);
      }
    }
  }
  if (r->last_seq() != initial_seq) CheckPersistence(r, options);
  return 0;
}
