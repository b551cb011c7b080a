// Process-crash test of the registry (issue requirement; tests/crash/crash_test.cc does the same
// for the store engine): a child process opens the registry and applies a stream of real
// commands (upsertPerson, upsertHousehold, recordWorkActivity, deleteRecord, and atomic batches
// of them through ApplyBatch), with checkpoints (snapshot + compaction) in some rounds. Before
// each operation it writes an intent message on a pipe, and after the call returned OK an ack
// with the seq. The parent SIGKILLs the child at a random moment, reopens the registry and
// checks that
//   - the store opens (Registry::Open: engine recovery, snapshot load, journal replay);
//   - every acknowledged command is present: its records are in the state with the content it
//     gave them, and re-applying its commandId is acknowledged as a duplicate with its seq;
//   - the one operation in flight when the child died (intent without ack) is applied whole or
//     not at all (an atomic batch is never half-applied);
//   - nothing else is there: the state equals the parent's model of the acknowledged commands.
// Each round continues the same registry, so recovery after recovery is exercised.
//
// Sync policies: rounds cycle through kFull, kNormal and kOff. A SIGKILL is a process crash,
// not a power loss: in every policy an Append that returned has reached the kernel
// (docs/storage.md, "When is a record durable?"), so every command the registry acknowledged
// must survive, whatever the policy. (What the policies differ in, power loss, is tested with
// MemFs in tests/unit/store_fault_test.cc.)
//
// TREEM_CRASH_ROUNDS overrides the number of rounds (default 200); TREEM_CRASH_SEED the seed.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capnp/message.h"
#include "core/ids.h"
#include "crash/crash_util.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "treem/schema/commands.capnp.h"
#include "unit/registry_fixtures.h"
#include "unit/temp_dir.h"

namespace treem::registry {
namespace {

using core::Uuid;
using schema::RecordKind;
using test_util::SetUuid;

constexpr char kUnit[] = "15865";
constexpr int kMaxItems = 4;
constexpr size_t kMaxPersons = 200;  // above this, the stream deletes records

// One command of an operation, as the parent needs it to check the outcome.
struct Item {
  uint8_t kind = 0;      // RecordKind of the record the command writes or deletes
  uint8_t del = 0;       // 1: deleteRecord
  uint8_t pad[6] = {};   // keeps the layout free of implicit padding
  uint64_t version = 0;  // persons: the name version written (fullName "Trẻ <version>")
  Uuid record;           // the record
  Uuid child;            // work activities: the child
  Uuid command_id;
};

// A message on the pipe, fixed size (far below PIPE_BUF, so each write is atomic).
struct Msg {
  enum Type : uint32_t { kIntent = 1, kAck = 2, kReady = 3 };
  uint32_t type = 0;
  uint32_t n = 0;      // commands in the operation (1 for single commands)
  uint64_t op = 0;     // operation number within the round
  uint64_t seq = 0;    // kAck: the seq Apply / ApplyBatch returned
  uint64_t batch = 0;  // 1: an atomic ApplyBatch
  Item items[kMaxItems];
};

RegistryOptions Options(store::SyncPolicy policy) {
  RegistryOptions o;
  o.scope = {kUnit};
  o.sync = policy;
  return o;
}

Uuid GetUuid(schema::Uuid::Reader r) { return Uuid{r.getHi(), r.getLo()}; }

constexpr char kNamePrefix[] = "Trẻ ";
std::string NameFor(uint64_t version) { return absl::StrCat(kNamePrefix, version); }

// Fills `c` (a command with its envelope) from `item`.
void FillCommand(schema::Command::Builder c, const Item& item) {
  auto actor = c.initActor();
  actor.setUserId("worker-crash");
  actor.setRole(schema::Role::COMMUNE_WORKER);
  actor.setUnitCode(kUnit);
  c.setSource(schema::DataSource::API);
  SetUuid(c.initCommandId(), item.command_id);
  auto payload = c.initPayload();
  if (item.del != 0) {
    auto d = payload.initDeleteRecord();
    d.setKind(static_cast<RecordKind>(item.kind));
    SetUuid(d.initId(), item.record);
    d.setReason("entered in error");
    return;
  }
  switch (static_cast<RecordKind>(item.kind)) {
    case RecordKind::PERSON: {
      auto p = payload.initUpsertPerson();
      SetUuid(p.initId(), item.record);
      p.setFullName(NameFor(item.version));
      p.setSex(schema::Sex::FEMALE);
      auto d = p.initBirthDate().initDate();
      d.setYear(2012);
      d.setMonth(5);
      d.setDay(1);
      p.setCommuneCode(kUnit);
      break;
    }
    case RecordKind::HOUSEHOLD: {
      auto h = payload.initUpsertHousehold();
      SetUuid(h.initId(), item.record);
      h.setCommuneCode(kUnit);
      h.setVillageCode("T01");
      break;
    }
    case RecordKind::WORK_ACTIVITY: {
      auto w = payload.initRecordWorkActivity();
      SetUuid(w.initId(), item.record);
      SetUuid(w.initChildId(), item.child);
      auto d = w.initObservedOn();
      d.setYear(2024);
      d.setMonth(3);
      d.setDay(10);
      w.setJobCode("OTHER");
      w.setHoursPerDay(6);
      w.setHoursPerWeek(30);
      w.setPayment(schema::PaymentKind::PAID);
      break;
    }
    default:
      break;
  }
}

// The registry's state as the test models it: persons (id -> name version), households,
// work activities (id -> child).
struct Model {
  std::map<Uuid, uint64_t> persons;
  std::set<Uuid> households;
  std::map<Uuid, Uuid> activities;

  void Apply(const Item& it) {
    switch (static_cast<RecordKind>(it.kind)) {
      case RecordKind::PERSON:
        if (it.del != 0) {
          persons.erase(it.record);
        } else {
          persons[it.record] = it.version;
        }
        break;
      case RecordKind::HOUSEHOLD:
        if (it.del != 0) {
          households.erase(it.record);
        } else {
          households.insert(it.record);
        }
        break;
      case RecordKind::WORK_ACTIVITY:
        if (it.del != 0) {
          activities.erase(it.record);
        } else {
          activities[it.record] = it.child;
        }
        break;
      default:
        break;
    }
  }
  friend bool operator==(const Model&, const Model&) = default;
};

// The model of what a registry holds, read from its snapshot (no access check, no journaling).
Model ReadModel(const Registry& r) {
  capnp::MallocMessageBuilder mb;
  auto s = mb.initRoot<schema::Snapshot>();
  EXPECT_TRUE(r.Snapshot(s).ok());
  Model m;
  for (auto p : s.asReader().getPersons()) {
    const std::string name = p.getFullName();
    uint64_t version = 0;
    if (name.rfind(kNamePrefix, 0) == 0) {
      version = std::strtoull(name.c_str() + std::strlen(kNamePrefix), nullptr, 10);
    }
    m.persons[GetUuid(p.getId())] = version;
  }
  for (auto h : s.asReader().getHouseholds()) m.households.insert(GetUuid(h.getId()));
  for (auto w : s.asReader().getWorkActivities()) {
    m.activities[GetUuid(w.getId())] = GetUuid(w.getChildId());
  }
  return m;
}

// ---- the child ----------------------------------------------------------------------------

class Writer {
 public:
  Writer(Registry& r, int fd, uint64_t round, uint64_t seed, bool checkpoints)
      : r_(r),
        fd_(fd),
        round_(round),
        rng_(seed),
        checkpoints_(checkpoints),
        model_(ReadModel(r)) {}

  [[noreturn]] void Run() {
    Msg ready;
    Send(ready, Msg::kReady);  // opened: recovery is done
    for (;;) {
      Msg m;
      m.op = ++op_;
      Plan(m);
      Send(m, Msg::kIntent);
      uint64_t seq = 0;
      if (m.batch != 0) {
        std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> builders;
        std::vector<schema::Command::Reader> cmds;
        for (uint32_t i = 0; i < m.n; ++i) {
          builders.push_back(std::make_unique<capnp::MallocMessageBuilder>());
          FillCommand(builders.back()->initRoot<schema::Command>(), m.items[i]);
          cmds.push_back(builders.back()->getRoot<schema::Command>().asReader());
        }
        absl::StatusOr<uint64_t> got = r_.ApplyBatch(cmds, /*atomic=*/true);
        if (!got.ok()) Die(10, got.status());
        seq = *got;
      } else {
        capnp::MallocMessageBuilder mb;
        FillCommand(mb.initRoot<schema::Command>(), m.items[0]);
        absl::StatusOr<ApplyResult> got = r_.Apply(mb.getRoot<schema::Command>().asReader());
        if (!got.ok()) Die(11, got.status());
        if (got->duplicate) Die(12, absl::InternalError("fresh commandId seen as duplicate"));
        seq = got->seq;
      }
      m.seq = seq;
      Send(m, Msg::kAck);  // acknowledged
      for (uint32_t i = 0; i < m.n; ++i) model_.Apply(m.items[i]);
      if (checkpoints_ && op_ % 16 == 0) {
        absl::StatusOr<uint64_t> covered = r_.Checkpoint();
        if (!covered.ok()) Die(13, covered.status());
      }
    }
  }

 private:
  [[noreturn]] static void Die(int code, const absl::Status& s) {
    std::fprintf(stderr, "child: %s\n", s.ToString().c_str());
    _exit(code);
  }

  void Send(Msg& m, Msg::Type type) {
    m.type = type;
    if (write(fd_, &m, sizeof(m)) != static_cast<ssize_t>(sizeof(m))) _exit(5);
  }

  Uuid NewId(const char* what) {
    return core::NameUuid(absl::StrCat("crash/", what, "/", round_, "/", ++ids_));
  }
  template <typename Map>
  std::optional<Uuid> Pick(const Map& m) {
    if (m.empty()) return std::nullopt;
    auto it = m.begin();
    std::advance(it, static_cast<long>(rng_() % std::min<size_t>(m.size(), 64)));
    return *KeyOf(it);
  }
  static const Uuid* KeyOf(std::map<Uuid, uint64_t>::const_iterator it) { return &it->first; }
  static const Uuid* KeyOf(std::map<Uuid, Uuid>::const_iterator it) { return &it->first; }
  static const Uuid* KeyOf(std::set<Uuid>::const_iterator it) { return &*it; }

  Item PersonItem(std::optional<Uuid> existing) {
    Item it;
    it.kind = static_cast<uint8_t>(RecordKind::PERSON);
    it.record = existing.value_or(NewId("person"));
    it.version = round_ * 1000000 + op_;
    it.command_id = NewId("command");
    return it;
  }
  Item HouseholdItem() {
    Item it;
    it.kind = static_cast<uint8_t>(RecordKind::HOUSEHOLD);
    it.record = NewId("household");
    it.command_id = NewId("command");
    return it;
  }
  Item ActivityItem(const Uuid& child) {
    Item it;
    it.kind = static_cast<uint8_t>(RecordKind::WORK_ACTIVITY);
    it.record = NewId("activity");
    it.child = child;
    it.command_id = NewId("command");
    return it;
  }
  Item DeleteItem(RecordKind kind, const Uuid& id) {
    Item it;
    it.kind = static_cast<uint8_t>(kind);
    it.del = 1;
    it.record = id;
    it.command_id = NewId("command");
    return it;
  }

  // Chooses the next operation, valid against the current state.
  void Plan(Msg& m) {
    m.n = 1;
    m.batch = 0;
    // Keeps the registry small, so that opening it stays fast over hundreds of rounds:
    // activities go first, then persons without any, and households.
    if (model_.persons.size() > kMaxPersons && rng_() % 2 == 0) {
      if (auto a = Pick(model_.activities)) {
        m.items[0] = DeleteItem(RecordKind::WORK_ACTIVITY, *a);
        return;
      }
      m.items[0] = DeleteItem(RecordKind::PERSON, *Pick(model_.persons));
      return;
    }
    if (model_.households.size() > kMaxPersons / 2 && rng_() % 4 == 0) {
      m.items[0] = DeleteItem(RecordKind::HOUSEHOLD, *Pick(model_.households));
      return;
    }
    switch (rng_() % 8) {
      case 0:
      case 1:
        m.items[0] = PersonItem(std::nullopt);
        return;
      case 2:
        m.items[0] = PersonItem(Pick(model_.persons));  // an update when there is a person
        return;
      case 3:
        m.items[0] = HouseholdItem();
        return;
      case 4:
        if (auto child = Pick(model_.persons)) {
          m.items[0] = ActivityItem(*child);
          return;
        }
        m.items[0] = PersonItem(std::nullopt);
        return;
      case 5:
        if (auto a = Pick(model_.activities)) {
          m.items[0] = DeleteItem(RecordKind::WORK_ACTIVITY, *a);
          return;
        }
        if (auto h = Pick(model_.households)) {
          m.items[0] = DeleteItem(RecordKind::HOUSEHOLD, *h);
          return;
        }
        m.items[0] = HouseholdItem();
        return;
      default: {
        // An atomic batch: a new child with an activity (which needs the child of the same
        // batch), a household, and a change to an existing record.
        m.batch = 1;
        m.items[0] = PersonItem(std::nullopt);
        m.items[1] = ActivityItem(m.items[0].record);
        m.items[2] = HouseholdItem();
        m.n = 3;
        if (auto a = Pick(model_.activities)) {
          m.items[3] = DeleteItem(RecordKind::WORK_ACTIVITY, *a);
          m.n = 4;
        } else if (auto p = Pick(model_.persons)) {
          m.items[3] = PersonItem(*p);
          m.n = 4;
        }
        return;
      }
    }
  }

  Registry& r_;
  int fd_;
  uint64_t round_;
  std::mt19937_64 rng_;
  bool checkpoints_;
  Model model_;
  uint64_t op_ = 0;
  uint64_t ids_ = 0;
};

[[noreturn]] void Child(const std::string& dir, store::SyncPolicy policy, int fd, uint64_t round,
                        uint64_t seed, bool checkpoints) {
  absl::StatusOr<std::unique_ptr<Registry>> r = Registry::Open(dir, Options(policy));
  if (!r.ok()) {
    std::fprintf(stderr, "child: open: %s\n", r.status().ToString().c_str());
    _exit(3);
  }
  Writer(**r, fd, round, seed, checkpoints).Run();
}

// ---- the parent -----------------------------------------------------------------------------

// Reads whole messages from `fd` into `out` until `deadline` (or EOF when deadline is null).
void Drain(int fd, std::string& buffer, std::vector<Msg>& out,
           std::optional<std::chrono::steady_clock::time_point> deadline) {
  char chunk[8192];
  for (;;) {
    if (deadline.has_value()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    }
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  while (buffer.size() >= sizeof(Msg)) {
    Msg m;
    std::memcpy(&m, buffer.data(), sizeof(Msg));
    out.push_back(m);
    buffer.erase(0, sizeof(Msg));
  }
}

TEST(RegistryCrashTest, SigkillNeverLosesAnAcknowledgedCommand) {
  test_util::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string dir = tmp.Sub("registry");
  {
    absl::StatusOr<std::unique_ptr<Registry>> r =
        Registry::Create(dir, Options(store::SyncPolicy::kFull));
    ASSERT_TRUE(r.ok()) << r.status();
  }
  const uint64_t rounds = test_util::CrashRounds();
  const uint64_t seed = test_util::CrashSeed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(absl::StrCat("TREEM_CRASH_SEED=", seed));
  const auto time_limit = std::chrono::steady_clock::now() + std::chrono::seconds(50);

  Model model;  // what the acknowledged commands built
  uint64_t acked_ops = 0, acked_commands = 0, in_flight_applied = 0, in_flight_lost = 0;
  uint64_t probes = 0;
  uint64_t done = 0;
  for (; done < rounds && std::chrono::steady_clock::now() < time_limit; ++done) {
    const store::SyncPolicy policy = static_cast<store::SyncPolicy>(done % 3);
    const bool checkpoints = done % 4 == 3;
    const uint64_t child_seed = rng();
    const auto kill_after = std::chrono::microseconds(rng() % 25000);  // 0-25 ms
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      Child(dir, policy, fds[1], done + 1, child_seed, checkpoints);
    }
    close(fds[1]);
    std::string buffer;
    std::vector<Msg> msgs;
    // Most rounds kill while commands are applied: the clock starts when the child has opened
    // the registry. Every fifth round it starts at the fork, so some kills hit the recovery.
    if (done % 5 != 4) {
      const auto open_limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (msgs.empty() && std::chrono::steady_clock::now() < open_limit) {
        Drain(fds[0], buffer, msgs,
              std::chrono::steady_clock::now() + std::chrono::milliseconds(5));
      }
    }
    Drain(fds[0], buffer, msgs, std::chrono::steady_clock::now() + kill_after);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child failed by itself, exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1)
        << " in round " << done;
    Drain(fds[0], buffer, msgs, std::nullopt);
    close(fds[0]);
    ASSERT_TRUE(buffer.empty()) << "a torn message on the pipe, round " << done;

    // The acknowledged operations, and the one in flight (intent without ack), if any.
    std::vector<Msg> acked;
    std::optional<Msg> in_flight;
    for (const Msg& m : msgs) {
      if (m.type == Msg::kReady) continue;
      if (m.type == Msg::kIntent) {
        ASSERT_FALSE(in_flight.has_value()) << "two operations in flight, round " << done;
        in_flight = m;
      } else {
        ASSERT_EQ(m.type, Msg::kAck);
        ASSERT_TRUE(in_flight.has_value() && in_flight->op == m.op) << "round " << done;
        in_flight.reset();
        acked.push_back(m);
      }
    }

    absl::StatusOr<std::unique_ptr<Registry>> reopened = Registry::Open(dir, Options(policy));
    ASSERT_TRUE(reopened.ok()) << "round " << done
                               << ": the registry does not open: " << reopened.status();
    Registry& r = **reopened;
    for (const Msg& m : acked) {
      for (uint32_t i = 0; i < m.n; ++i) model.Apply(m.items[i]);
      ++acked_ops;
      acked_commands += m.n;
    }
    const Model state = ReadModel(r);
    if (in_flight.has_value()) {
      // Applied whole or not at all: the state is the model with all of it, or without any.
      Model with = model;
      for (uint32_t i = 0; i < in_flight->n; ++i) with.Apply(in_flight->items[i]);
      if (state == with && !(state == model)) {
        model = with;
        ++in_flight_applied;
      } else {
        ++in_flight_lost;
      }
    }
    ASSERT_EQ(state.persons.size(), model.persons.size()) << "round " << done;
    ASSERT_EQ(state.households.size(), model.households.size()) << "round " << done;
    ASSERT_EQ(state.activities.size(), model.activities.size()) << "round " << done;
    ASSERT_TRUE(state == model) << "round " << done
                                << ": the state is not that of the acknowledged commands"
                                << (in_flight.has_value() && in_flight->batch != 0
                                        ? " (an atomic batch was in flight)"
                                        : "");
    // The acknowledged commands of this round are known by their commandId with their seq: a
    // probe command reusing the commandId is acknowledged as a duplicate (were the commandId
    // unknown, the probe would be applied, and the test fails). The first, the last and a few
    // in between are probed (the state check above covers the content of all of them).
    for (size_t k = 0; k < acked.size(); ++k) {
      if (k != 0 && k + 1 != acked.size() && rng() % 16 != 0) continue;
      const Msg& m = acked[k];
      for (uint32_t i = 0; i < m.n; ++i) {
        capnp::MallocMessageBuilder mb;
        Item probe;
        probe.kind = static_cast<uint8_t>(RecordKind::HOUSEHOLD);
        probe.record = core::NameUuid(absl::StrCat("crash/probe/", done, "/", m.op, "/", i));
        probe.command_id = m.items[i].command_id;
        FillCommand(mb.initRoot<schema::Command>(), probe);
        absl::StatusOr<ApplyResult> again = r.Apply(mb.getRoot<schema::Command>().asReader());
        ASSERT_TRUE(again.ok()) << again.status();
        ASSERT_TRUE(again->duplicate)
            << "round " << done << ": commandId of op " << m.op << " unknown after the crash";
        ASSERT_EQ(again->seq, m.seq) << "round " << done << ": op " << m.op;
        ++probes;
      }
    }
    // Bounds the journal the next opens replay (the child checkpoints too, in some rounds).
    if (done % 3 == 2) {
      absl::StatusOr<uint64_t> covered = r.Checkpoint();
      ASSERT_TRUE(covered.ok()) << covered.status();
    }
  }
  std::printf(
      "registry crash rounds: %llu, operations acknowledged: %llu (%llu commands, %llu "
      "commandIds probed), in flight at the kill: %llu applied whole, %llu not applied\n",
      static_cast<unsigned long long>(done), static_cast<unsigned long long>(acked_ops),
      static_cast<unsigned long long>(acked_commands), static_cast<unsigned long long>(probes),
      static_cast<unsigned long long>(in_flight_applied),
      static_cast<unsigned long long>(in_flight_lost));
  EXPECT_GE(done, std::min<uint64_t>(rounds, 50));  // the time guard must not hollow it out
  EXPECT_GT(acked_ops, 0u);
}

}  // namespace
}  // namespace treem::registry
