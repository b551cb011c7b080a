#include "indicators/columns.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "internal/huge_pages.h"
#include "internal/status_macros.h"
#include "store/crc32c.h"

namespace treem::indicators {

struct DeferredChecks {
  struct Item {
    const char* name;
    uint64_t offset;
    const char* at;  // in the mapping, kept alive by the column's view
    size_t bytes;
    uint32_t crc;
  };
  std::vector<Item> items;
  std::once_flag once;
  absl::Status result;
};

absl::Status VerifyDeferredColumns(const Dataset& d) {
  DeferredChecks* c = d.deferred.get();
  if (c == nullptr) return absl::OkStatus();
  std::call_once(c->once, [c] {
    for (const auto& item : c->items) {
      if (store::Crc32c(item.at, item.bytes) != item.crc) {
        c->result = absl::DataLossError(absl::StrCat(
            "column file: column ", item.name, " at offset ", item.offset, ": checksum mismatch"));
        return;
      }
    }
  });
  return c->result;
}

namespace {

using internal::Sv;

constexpr char kMagic[8] = {'T', 'R', 'E', 'E', 'M', 'C', 'O', 'L'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 64;
constexpr size_t kEntrySize = 48;
constexpr size_t kNameSize = 24;

// A new Dataset member must be added to ForEachColumn (and the version bumped when its
// meaning changes); this fails the build until it is.
static_assert(sizeof(Dataset) == 4688 || sizeof(void*) != 8,
              "Dataset changed: update ForEachColumn in columns.cc");

// Every persisted column, in file order. `f(name, vector)`; the stats are two extra columns.
template <typename D, typename F>
void ForEachColumn(D& d, F&& f) {
  f("key_code", d.key_code);
  f("key_village", d.key_village);
  f("p_id", d.p_id);
  f("p_key", d.p_key);
  f("p_birth", d.p_birth);
  f("p_death", d.p_death);
  f("p_sex", d.p_sex);
  f("p_ethnicity", d.p_ethnicity);
  f("p_poverty", d.p_poverty);
  f("p_residence", d.p_residence);
  f("p_roles", d.p_roles);
  f("p_school", d.p_school);
  f("a_id", d.a_id);
  f("a_person", d.a_person);
  f("a_day", d.a_day);
  f("a_cls", d.a_cls);
  f("k_person", d.k_person);
  f("k_day", d.k_day);
  f("k_level", d.k_level);
  f("c_id", d.c_id);
  f("c_person", d.c_person);
  f("c_key", d.c_key);
  f("c_kind", d.c_kind);
  f("c_received", d.c_received);
  f("c_closed", d.c_closed);
  f("c_assessed", d.c_assessed);
  f("c_in_progress", d.c_in_progress);
  f("c_in_time_until", d.c_in_time_until);
  f("d_case", d.d_case);
  f("d_kind", d.d_kind);
  f("d_cancelled", d.d_cancelled);
  f("d_started", d.d_started);
  f("d_due", d.d_due);
  f("d_closed", d.d_closed);
  f("f_case", d.f_case);
  f("f_at", d.f_at);
  f("r_id", d.r_id);
  f("r_case", d.r_case);
  f("r_due", d.r_due);
  f("r_hbegin", d.r_hbegin);
  f("r_hend", d.r_hend);
  f("r_service", d.r_service);
  f("r_status", d.r_status);
  f("r_requested", d.r_requested);
  f("h_at", d.h_at);
  f("h_status", d.h_status);
  f("re_person", d.re_person);
  f("re_from", d.re_from);
  f("re_to", d.re_to);
  f("re_kind", d.re_kind);
  f("ro_est", d.ro_est);
  f("ro_from", d.ro_from);
  f("ro_to", d.ro_to);
  f("ro_kind", d.ro_kind);
  f("hc_key", d.hc_key);
  f("hc_day", d.hc_day);
  f("hc_count", d.hc_count);
  f("e_id", d.e_id);
  f("e_key", d.e_key);
  f("e_kind", d.e_kind);
  f("i_id", d.i_id);
  f("i_key", d.i_key);
  f("i_day", d.i_day);
  f("i_findings", d.i_findings);
  f("i_sanction", d.i_sanction);
  f("i_parent", d.i_parent);
  f("i_criminal", d.i_criminal);
  f("i_fine", d.i_fine);
  f("m_id", d.m_id);
  f("m_key", d.m_key);
  f("m_signed", d.m_signed);
  f("m_valid_to", d.m_valid_to);
  f("m_hbegin", d.m_hbegin);
  f("m_hend", d.m_hend);
  f("m_status", d.m_status);
  f("mh_day", d.mh_day);
  f("mh_status", d.mh_status);
  f("g_key", d.g_key);
  f("g_day", d.g_day);
  f("g_kind", d.g_kind);
  f("g_source", d.g_source);
  f("g_amount", d.g_amount);
  f("rule_sets", d.rule_sets);
  f("stats_notes", d.stats.notes);
}

template <typename T>
constexpr uint32_t ElementSize() {
  if constexpr (std::is_same_v<T, std::string>) {
    return 0;
  } else {
    static_assert(std::is_trivially_copyable_v<T>);
    return sizeof(T);
  }
}

void PutU32(std::string& s, size_t at, uint32_t v) { memcpy(&s[at], &v, 4); }
void PutU64(std::string& s, size_t at, uint64_t v) { memcpy(&s[at], &v, 8); }
uint32_t GetU32(const char* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }

std::array<uint64_t, 8> StatCounts(const DatasetStats& s) {
  return {s.persons, s.activities, s.activities_skipped,   s.activities_adult,
          s.cases,   s.referrals,  s.reach_unknown_person, s.reach_unknown_org};
}
void SetStatCounts(DatasetStats& s, const std::array<uint64_t, 8>& v) {
  s.persons = v[0];
  s.activities = v[1];
  s.activities_skipped = v[2];
  s.activities_adult = v[3];
  s.cases = v[4];
  s.referrals = v[5];
  s.reach_unknown_person = v[6];
  s.reach_unknown_org = v[7];
}

// Decodes a whole column file in memory. With `keep` (what keeps `whole` alive: the file's
// mapping) the columns are views into `whole`; without it they are copied.
absl::StatusOr<Dataset> Decode(std::string_view whole, std::shared_ptr<const void> keep,
                               const core::AdminUnits& units, uint64_t* covers_seq) {
  const uint64_t size = whole.size();
  if (size < kHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("column file: ", size, " bytes, shorter than its 64-byte header"));
  }
  std::string header(whole.substr(0, kHeaderSize));  // a copy: its checksum field is zeroed
  if (memcmp(header.data(), kMagic, 8) != 0) {
    return absl::DataLossError("column file: offset 0: not a treem column file (magic)");
  }
  const uint32_t crc = GetU32(&header[12]);
  PutU32(header, 12, 0);
  if (store::Crc32c(header.data(), header.size()) != crc) {
    return absl::DataLossError("column file: offset 0: header checksum mismatch");
  }
  if (GetU32(&header[8]) != kVersion) {
    return absl::FailedPreconditionError(absl::StrCat("column file: version ", GetU32(&header[8]),
                                                      ", this reads ", kVersion,
                                                      ": rebuild it from the snapshot"));
  }
  if (GetU64(&header[32]) != size) {
    return absl::DataLossError(absl::StrCat("column file: ", size, " bytes but its header says ",
                                            GetU64(&header[32]), " (truncated or extended)"));
  }
  Dataset d;
  size_t expected = 0;
  ForEachColumn(d, [&](const char*, auto&) { ++expected; });
  ++expected;  // stats counts
  const uint32_t count = GetU32(&header[24]);
  if (count != expected) {
    return absl::FailedPreconditionError(absl::StrCat("column file: ", count,
                                                      " columns, this release has ", expected,
                                                      ": rebuild it from the snapshot"));
  }
  if (kHeaderSize + uint64_t{count} * kEntrySize > size) {
    return absl::DataLossError("column file: offset 64: column table runs past the end");
  }
  const std::string_view table = whole.substr(kHeaderSize, count * kEntrySize);
  if (store::Crc32c(table.data(), table.size()) != GetU32(&header[28])) {
    return absl::DataLossError("column file: offset 64: column table checksum mismatch");
  }
  size_t index = 0;
  absl::Status status = absl::OkStatus();
  // The next table entry, which must be `name` with elements of `elem` bytes; its data lies
  // inside `whole`.
  auto entry = [&](const char* name, uint32_t elem, uint64_t* offset, uint64_t* bytes,
                   uint32_t* crc) -> absl::Status {
    const char* e = &table[index * kEntrySize];
    const uint64_t at = kHeaderSize + index * kEntrySize;
    ++index;
    if (strncmp(e, name, kNameSize) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "column file: offset ", at, ": column '", Sv(std::string_view(e, strnlen(e, kNameSize))),
          "' where this release expects '", name, "': rebuild it from the snapshot"));
    }
    *offset = GetU64(e + 24);
    *bytes = GetU64(e + 32);
    *crc = GetU32(e + 44);
    if (GetU32(e + 40) != elem) {
      return absl::FailedPreconditionError(absl::StrCat(
          "column file: column ", name, ": element size ", GetU32(e + 40), ", expected ", elem));
    }
    if (*offset < kHeaderSize + table.size() || *offset > size || *bytes > size - *offset) {
      return absl::DataLossError(absl::StrCat("column file: column ", name, " at offset ", *offset,
                                              ": ", *bytes, " bytes run past the end"));
    }
    if (elem != 0 && *bytes % elem != 0) {
      return absl::DataLossError(absl::StrCat("column file: column ", name, " at offset ", *offset,
                                              ": ", *bytes,
                                              " bytes is not a whole number of elements"));
    }
    return absl::OkStatus();
  };
  auto check_crc = [](const char* name, uint64_t offset, const void* p, size_t n, uint32_t crc) {
    if (store::Crc32c(p, n) != crc) {
      return absl::DataLossError(
          absl::StrCat("column file: column ", name, " at offset ", offset, ": checksum mismatch"));
    }
    return absl::OkStatus();
  };
  ForEachColumn(d, [&](const char* name, auto& v) {
    if (!status.ok()) return;
    using T = typename std::decay_t<decltype(v)>::value_type;
    constexpr uint32_t elem = ElementSize<T>();
    uint64_t offset = 0, bytes = 0;
    uint32_t crc = 0;
    status = entry(name, elem, &offset, &bytes, &crc);
    if (!status.ok()) return;
    if constexpr (elem == 0) {
      const std::string_view raw = whole.substr(offset, bytes);
      status = check_crc(name, offset, raw.data(), raw.size(), crc);
      size_t at = 0;
      while (status.ok() && at < raw.size()) {
        if (raw.size() - at < 4) {
          status = absl::DataLossError(absl::StrCat("column file: column ", name, " at offset ",
                                                    offset + at, ": truncated string length"));
          break;
        }
        const uint32_t len = GetU32(&raw[at]);
        at += 4;
        if (len > raw.size() - at) {
          status = absl::DataLossError(absl::StrCat("column file: column ", name, " at offset ",
                                                    offset + at, ": string runs past the column"));
          break;
        }
        v.emplace_back(raw.data() + at, len);
        at += len;
      }
    } else {
      const char* at = whole.data() + offset;
      const bool view = keep != nullptr && reinterpret_cast<uintptr_t>(at) % alignof(T) == 0;
      if (view && (strcmp(name, "p_id") == 0 || strcmp(name, "a_id") == 0)) {
        if (d.deferred == nullptr) d.deferred = std::make_shared<DeferredChecks>();
        d.deferred->items.push_back({name, offset, at, bytes, crc});
      } else {
        status = check_crc(name, offset, at, bytes, crc);
        if (!status.ok()) return;
      }
      if (view) {
        v = Column<T>::View(keep, reinterpret_cast<const T*>(at), bytes / elem);
      } else {
        v.reserve(bytes / elem);
        internal::AdviseHugePages(v.data(), bytes);  // before the first touch
        v.resize(bytes / elem);
        if (bytes > 0) memcpy(v.data(), at, bytes);
      }
    }
  });
  TREEM_RETURN_IF_ERROR(status);
  {
    uint64_t offset = 0, bytes = 0;
    uint32_t crc = 0;
    TREEM_RETURN_IF_ERROR(entry("stats", 8, &offset, &bytes, &crc));
    std::array<uint64_t, 8> counts{};
    if (bytes != sizeof(counts)) {
      return absl::DataLossError(absl::StrCat("column file: column stats at offset ", offset, ": ",
                                              bytes, " bytes, expected 64"));
    }
    memcpy(counts.data(), whole.data() + offset, sizeof(counts));
    TREEM_RETURN_IF_ERROR(check_crc("stats", offset, counts.data(), sizeof(counts), crc));
    SetStatCounts(d.stats, counts);
  }
  TREEM_RETURN_IF_ERROR(ValidateDataset(d));
  d.units = units;
  d.resolved = NewKeyResolutionCache();
  if (covers_seq != nullptr) *covers_seq = GetU64(&header[16]);
  return d;
}

absl::Status Errno(std::string_view what, const std::string& path) {
  const int e = errno;
  return absl::UnavailableError(
      absl::StrCat("column file: ", Sv(what), " '", path, "': ", strerror(e)));
}

absl::Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeColumns(const Dataset& d, uint64_t covers_seq) {
  // Column payloads first (to know offsets), then header and table in front.
  struct Col {
    std::string name;
    uint32_t elem;
    std::string_view bytes;  // for trivially copyable columns
    std::string owned;       // for strings and stats
  };
  std::vector<Col> cols;
  ForEachColumn(d, [&](const char* name, const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    constexpr uint32_t elem = ElementSize<T>();
    Col c{name, elem, {}, {}};
    if constexpr (elem == 0) {
      size_t total = 0;
      for (const std::string& str : v) total += 4 + str.size();
      c.owned.resize(total);
      char* w = c.owned.data();
      for (const std::string& str : v) {
        const uint32_t len = static_cast<uint32_t>(str.size());
        memcpy(w, &len, 4);
        if (len > 0) memcpy(w + 4, str.data(), len);
        w += 4 + len;
      }
      c.bytes = c.owned;
    } else {
      c.bytes = std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    cols.push_back(std::move(c));
  });
  {
    const auto counts = StatCounts(d.stats);
    Col c{"stats", 8, {}, std::string(reinterpret_cast<const char*>(counts.data()), 64)};
    cols.push_back(std::move(c));
  }
  for (Col& c : cols) {
    if (!c.owned.empty()) c.bytes = c.owned;  // re-point after the vector moved them
  }
  size_t at = Align8(kHeaderSize + cols.size() * kEntrySize);
  std::vector<size_t> offsets;
  for (const Col& c : cols) {
    offsets.push_back(at);
    at = Align8(at + c.bytes.size());
  }
  std::string out(at, '\0');
  memcpy(&out[0], kMagic, 8);
  PutU32(out, 8, kVersion);
  PutU64(out, 16, covers_seq);
  PutU32(out, 24, static_cast<uint32_t>(cols.size()));
  PutU64(out, 32, out.size());
  for (size_t i = 0; i < cols.size(); ++i) {
    const size_t e = kHeaderSize + i * kEntrySize;
    memcpy(&out[e], cols[i].name.data(), std::min(cols[i].name.size(), kNameSize));
    PutU64(out, e + 24, offsets[i]);
    PutU64(out, e + 32, cols[i].bytes.size());
    PutU32(out, e + 40, cols[i].elem);
    PutU32(out, e + 44, store::Crc32c(cols[i].bytes.data(), cols[i].bytes.size()));
    if (!cols[i].bytes.empty())
      memcpy(&out[offsets[i]], cols[i].bytes.data(), cols[i].bytes.size());
  }
  PutU32(out, 28, store::Crc32c(out.data() + kHeaderSize, cols.size() * kEntrySize));
  PutU32(out, 12, store::Crc32c(out.data(), kHeaderSize));
  return out;
}

absl::StatusOr<Dataset> DecodeColumns(std::string_view bytes, const core::AdminUnits& units,
                                      uint64_t* covers_seq) {
  return Decode(bytes, nullptr, units, covers_seq);
}

absl::Status WriteColumns(const Dataset& d, uint64_t covers_seq, const std::string& path) {
  TREEM_RETURN_IF_ERROR(VerifyDeferredColumns(d));  // never re-checksum damaged bytes
  const std::string bytes = EncodeColumns(d, covers_seq);
  static std::atomic<uint64_t> writes{0};  // distinct temporary files for concurrent writers
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid(), ".", writes.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", tmp);
  absl::Status s = WriteAll(fd, bytes.data(), bytes.size(), tmp);
  if (s.ok() && ::fdatasync(fd) != 0) s = Errno("sync", tmp);
  if (::close(fd) != 0 && s.ok()) s = Errno("close", tmp);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Errno("rename", path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = std::filesystem::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::StatusOr<Dataset> ReadColumns(const std::string& path, const core::AdminUnits& units,
                                    uint64_t* covers_seq) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("column file: no '", path, "'"));
    return Errno("open", path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status s = Errno("stat", path);
    ::close(fd);
    return s;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return Decode({}, nullptr, units, covers_seq);  // refused: shorter than the header
  }
  // The columns are views of the mapped file: the page cache holds them, nothing is copied,
  // and pages a report never reads are never touched. Column files are written once and
  // replaced by rename, never changed in place, so the mapping stays valid while in use.
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) {
    absl::Status s = Errno("map", path);
    ::close(fd);
    return s;
  }
  ::close(fd);
  std::shared_ptr<const void> mapping(
      p, [size](const void* m) { ::munmap(const_cast<void*>(m), size); });
  return Decode(std::string_view(static_cast<const char*>(p), size), std::move(mapping), units,
                covers_seq);
}

absl::Status ValidateDataset(const Dataset& d) {
  auto same = [](const char* table, size_t n,
                 std::initializer_list<std::pair<const char*, size_t>> cols) -> absl::Status {
    for (const auto& [name, size] : cols) {
      if (size != n) {
        return absl::DataLossError(
            absl::StrCat("columns: ", name, " has ", size, " rows, ", table, " has ", n));
      }
    }
    return absl::OkStatus();
  };
  // Every value of `col` is < limit (or kNone when allowed).
  auto index = [](const char* name, const Column<uint32_t>& col, size_t limit,
                  bool none_ok) -> absl::Status {
    for (size_t i = 0; i < col.size(); ++i) {
      if (col[i] < limit || (none_ok && col[i] == kNone)) continue;
      return absl::DataLossError(
          absl::StrCat("columns: ", name, "[", i, "] = ", col[i], " is outside 0..", limit));
    }
    return absl::OkStatus();
  };
  // Every [begin[i], end[i]) is a range of a history of `limit` rows.
  auto ranges = [](const char* name, const Column<uint32_t>& begin, const Column<uint32_t>& end,
                   size_t limit) -> absl::Status {
    for (size_t i = 0; i < begin.size(); ++i) {
      if (begin[i] <= end[i] && end[i] <= limit) continue;
      return absl::DataLossError(absl::StrCat("columns: ", name, "[", i, "] = ", begin[i], "..",
                                              end[i], " is outside the status history"));
    }
    return absl::OkStatus();
  };
  const size_t keys = d.key_code.size(), n = d.p_id.size(), cases = d.c_id.size();
  TREEM_RETURN_IF_ERROR(same("key_code", keys, {{"key_village", d.key_village.size()}}));
  TREEM_RETURN_IF_ERROR(same("p_id", n,
                             {{"p_key", d.p_key.size()},
                              {"p_birth", d.p_birth.size()},
                              {"p_death", d.p_death.size()},
                              {"p_sex", d.p_sex.size()},
                              {"p_ethnicity", d.p_ethnicity.size()},
                              {"p_poverty", d.p_poverty.size()},
                              {"p_residence", d.p_residence.size()},
                              {"p_roles", d.p_roles.size()},
                              {"p_school", d.p_school.size()}}));
  TREEM_RETURN_IF_ERROR(index("p_key", d.p_key, keys, false));
  TREEM_RETURN_IF_ERROR(same(
      "a_id", d.a_id.size(),
      {{"a_person", d.a_person.size()}, {"a_day", d.a_day.size()}, {"a_cls", d.a_cls.size()}}));
  TREEM_RETURN_IF_ERROR(index("a_person", d.a_person, n, false));
  TREEM_RETURN_IF_ERROR(same("k_person", d.k_person.size(),
                             {{"k_day", d.k_day.size()}, {"k_level", d.k_level.size()}}));
  TREEM_RETURN_IF_ERROR(index("k_person", d.k_person, n, false));
  TREEM_RETURN_IF_ERROR(same("c_id", cases,
                             {{"c_person", d.c_person.size()},
                              {"c_key", d.c_key.size()},
                              {"c_kind", d.c_kind.size()},
                              {"c_received", d.c_received.size()},
                              {"c_closed", d.c_closed.size()},
                              {"c_assessed", d.c_assessed.size()},
                              {"c_in_progress", d.c_in_progress.size()},
                              {"c_in_time_until", d.c_in_time_until.size()}}));
  TREEM_RETURN_IF_ERROR(index("c_person", d.c_person, n, true));
  TREEM_RETURN_IF_ERROR(index("c_key", d.c_key, keys, false));
  TREEM_RETURN_IF_ERROR(same("d_case", d.d_case.size(),
                             {{"d_kind", d.d_kind.size()},
                              {"d_cancelled", d.d_cancelled.size()},
                              {"d_started", d.d_started.size()},
                              {"d_due", d.d_due.size()},
                              {"d_closed", d.d_closed.size()}}));
  TREEM_RETURN_IF_ERROR(index("d_case", d.d_case, cases, false));
  TREEM_RETURN_IF_ERROR(same("f_case", d.f_case.size(), {{"f_at", d.f_at.size()}}));
  TREEM_RETURN_IF_ERROR(index("f_case", d.f_case, cases, false));
  TREEM_RETURN_IF_ERROR(same("r_id", d.r_id.size(),
                             {{"r_case", d.r_case.size()},
                              {"r_due", d.r_due.size()},
                              {"r_hbegin", d.r_hbegin.size()},
                              {"r_hend", d.r_hend.size()},
                              {"r_service", d.r_service.size()},
                              {"r_status", d.r_status.size()},
                              {"r_requested", d.r_requested.size()}}));
  TREEM_RETURN_IF_ERROR(index("r_case", d.r_case, cases, false));
  TREEM_RETURN_IF_ERROR(same("h_at", d.h_at.size(), {{"h_status", d.h_status.size()}}));
  TREEM_RETURN_IF_ERROR(ranges("r_hbegin/r_hend", d.r_hbegin, d.r_hend, d.h_at.size()));
  TREEM_RETURN_IF_ERROR(same(
      "re_person", d.re_person.size(),
      {{"re_from", d.re_from.size()}, {"re_to", d.re_to.size()}, {"re_kind", d.re_kind.size()}}));
  TREEM_RETURN_IF_ERROR(index("re_person", d.re_person, n, false));
  const size_t ests = d.e_id.size();
  TREEM_RETURN_IF_ERROR(same(
      "ro_est", d.ro_est.size(),
      {{"ro_from", d.ro_from.size()}, {"ro_to", d.ro_to.size()}, {"ro_kind", d.ro_kind.size()}}));
  TREEM_RETURN_IF_ERROR(index("ro_est", d.ro_est, ests, false));
  TREEM_RETURN_IF_ERROR(same("hc_key", d.hc_key.size(),
                             {{"hc_day", d.hc_day.size()}, {"hc_count", d.hc_count.size()}}));
  TREEM_RETURN_IF_ERROR(index("hc_key", d.hc_key, keys, false));
  TREEM_RETURN_IF_ERROR(
      same("e_id", ests, {{"e_key", d.e_key.size()}, {"e_kind", d.e_kind.size()}}));
  TREEM_RETURN_IF_ERROR(index("e_key", d.e_key, keys, false));
  TREEM_RETURN_IF_ERROR(same("i_id", d.i_id.size(),
                             {{"i_key", d.i_key.size()},
                              {"i_day", d.i_day.size()},
                              {"i_findings", d.i_findings.size()},
                              {"i_sanction", d.i_sanction.size()},
                              {"i_parent", d.i_parent.size()},
                              {"i_criminal", d.i_criminal.size()},
                              {"i_fine", d.i_fine.size()}}));
  TREEM_RETURN_IF_ERROR(index("i_key", d.i_key, keys, false));
  TREEM_RETURN_IF_ERROR(same("m_id", d.m_id.size(),
                             {{"m_key", d.m_key.size()},
                              {"m_signed", d.m_signed.size()},
                              {"m_valid_to", d.m_valid_to.size()},
                              {"m_hbegin", d.m_hbegin.size()},
                              {"m_hend", d.m_hend.size()},
                              {"m_status", d.m_status.size()}}));
  TREEM_RETURN_IF_ERROR(index("m_key", d.m_key, keys, false));
  TREEM_RETURN_IF_ERROR(same("mh_day", d.mh_day.size(), {{"mh_status", d.mh_status.size()}}));
  TREEM_RETURN_IF_ERROR(ranges("m_hbegin/m_hend", d.m_hbegin, d.m_hend, d.mh_day.size()));
  TREEM_RETURN_IF_ERROR(same("g_key", d.g_key.size(),
                             {{"g_day", d.g_day.size()},
                              {"g_kind", d.g_kind.size()},
                              {"g_source", d.g_source.size()},
                              {"g_amount", d.g_amount.size()}}));
  TREEM_RETURN_IF_ERROR(index("g_key", d.g_key, keys, false));
  return absl::OkStatus();
}

}  // namespace treem::indicators
