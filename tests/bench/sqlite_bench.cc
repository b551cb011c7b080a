// The same indicator report computed by SQLite over the same data (issue 8), with a check that
// both give identical numbers and the ratio printed.
//
// The SQLite database (in memory, the Debian libsqlite3) is loaded from the indicator columns
// of the generated country (BuildDataset over the store's snapshot: the same records, with the
// facts a SQL system would store alongside them: each work activity's classification, the
// carer role from household memberships, each recorded unit code with its province on the map
// of the report). Tables and indexes:
//   units(key PK, province)                   persons(id PK, key, birth, death, sex, roles, school)
//   activities(person, day, cls)  idx person   reach(person, from_day, to_day, kind)  idx person
//   screens(person, day, level)   idx person   cases(id PK, person, key, kind, received, closed,
//   referrals(id PK, case_id, service, status,       assessed, in_time_until)  idx person
//             requested)           idx case_id  ref_hist(ref, at, status)      idx ref
// Dates are packed integers (year << 9 | month << 5 | day) as in treem, instants microseconds.
//
// The query set: P1, P2, P3, P4, P5, P6, P10, SDG871, OP.CASES_OPENED, OP.CASES_CLOSED,
// OP.REFERRALS for 2025, totals and sex x statBand cells, for the country and each province:
// four SQL statements (children, role holders, cases, referrals), each one grouped scan. The
// treem side is Compute() over the Dataset for exactly these indicators and cells. Every value
// of the treem report (numerator and denominator of every cell of every row) must equal the
// SQL one, else the benchmark fails (SkipWithError). Counters: sqlite_ms (time of the SQL),
// treem_ms (Compute, median of 5), ratio = sqlite_ms / treem_ms, load_s (building the database).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench_util.h"
#include "cases/deadline_rules.h"
#include "indicators/compute.h"
#include "rules/engine.h"

namespace treem::bench {
namespace {

using indicators::Dataset;

const std::vector<std::string>& QuerySet() {
  static const std::vector<std::string> ids = {"P1",
                                               "P2",
                                               "P3",
                                               "P4",
                                               "P5",
                                               "P6",
                                               "P10",
                                               "SDG871",
                                               "OP.CASES_OPENED",
                                               "OP.CASES_CLOSED",
                                               "OP.REFERRALS"};
  return ids;
}

struct Db {
  sqlite3* db = nullptr;
  ~Db() {
    if (db != nullptr) sqlite3_close(db);
  }
};

bool Exec(sqlite3* db, const std::string& sql, std::string* err) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    *err = absl::StrCat(msg != nullptr ? msg : "error", " in: ", sql.substr(0, 200));
    sqlite3_free(msg);
    return false;
  }
  return true;
}

// Inserts rows through one prepared statement; `bind(stmt, i)` binds row i.
template <typename Bind>
bool Insert(sqlite3* db, const std::string& sql, size_t n, Bind bind, std::string* err) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    *err = sqlite3_errmsg(db);
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    bind(st, i);
    if (sqlite3_step(st) != SQLITE_DONE) {
      *err = sqlite3_errmsg(db);
      sqlite3_finalize(st);
      return false;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return true;
}

// Stands for the row index in InsertColumns (the id of a row).
struct RowIndex {
  int64_t operator[](size_t i) const { return static_cast<int64_t>(i); }
};
// Inserts n rows into `table`, column j of row i being cols_j[i] (integers).
template <typename... Cols>
bool InsertColumns(sqlite3* db, const char* table, size_t n, std::string* err,
                   const Cols&... cols) {
  std::string sql = absl::StrCat("INSERT INTO ", table, " VALUES(?");
  for (size_t j = 1; j < sizeof...(cols); ++j) sql += ",?";
  sql += ")";
  return Insert(
      db, sql, n,
      [&](sqlite3_stmt* st, size_t i) {
        int col = 0;
        (sqlite3_bind_int64(st, ++col, static_cast<int64_t>(cols[i])), ...);
      },
      err);
}

// Province code of each unit key on the map of `on` ("" when not on the map), as Compute
// resolves keys (version valid that day, else the lineage).
std::vector<std::string> KeyProvinces(const Dataset& d, core::Date on) {
  std::vector<std::string> out(d.key_code.size());
  for (size_t k = 0; k < d.key_code.size(); ++k) {
    const std::string& code = d.key_code[k];
    if (code.empty()) continue;
    core::UnitIndex leaf = core::kNoUnit;
    if (!d.key_village[k].empty()) {
      auto v = d.units.FindIndex(absl::StrCat(code, "-", d.key_village[k]), on);
      if (v.ok()) leaf = *v;
    }
    if (leaf == core::kNoUnit) {
      auto direct = d.units.FindIndex(code, on);
      if (direct.ok()) {
        leaf = *direct;
      } else {
        auto cont = d.units.ContainingUnitOn(code, on);
        if (cont.ok() && !cont->empty()) leaf = (*cont)[0].unit.index;
      }
    }
    if (leaf == core::kNoUnit) continue;
    auto lv = d.units.At(leaf);
    if (!lv.ok()) continue;
    if (lv->level == core::UnitLevel::kProvince) {
      out[k] = std::string(lv->code);
      continue;
    }
    auto p = d.units.At(d.units.AncestorIndex(leaf, core::UnitLevel::kProvince));
    if (p.ok()) out[k] = std::string(p->code);
  }
  return out;
}

bool Load(sqlite3* db, const Dataset& d, std::string* err) {
  const std::string schema = R"sql(
    PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;
    PRAGMA cache_size=-1000000;
    CREATE TABLE units(key INTEGER PRIMARY KEY, province TEXT);
    CREATE TABLE persons(id INTEGER PRIMARY KEY, key INTEGER, birth INTEGER, death INTEGER,
                         sex INTEGER, roles INTEGER, school INTEGER);
    CREATE TABLE activities(person INTEGER, day INTEGER, cls INTEGER);
    CREATE TABLE reach(person INTEGER, from_day INTEGER, to_day INTEGER, kind INTEGER);
    CREATE TABLE screens(person INTEGER, day INTEGER, level INTEGER);
    CREATE TABLE cases(id INTEGER PRIMARY KEY, person INTEGER, key INTEGER, kind INTEGER,
                       received INTEGER, closed INTEGER, assessed INTEGER, in_time_until INTEGER);
    CREATE TABLE referrals(id INTEGER PRIMARY KEY, case_id INTEGER, service INTEGER,
                           status INTEGER, requested INTEGER);
    CREATE TABLE ref_hist(ref INTEGER, at INTEGER, status INTEGER);
  )sql";
  if (!Exec(db, schema, err) || !Exec(db, "BEGIN", err)) return false;
  const auto prov = KeyProvinces(d, core::Date(2025, 12, 31));
  auto i64 = [](sqlite3_stmt* st, int col, int64_t v) { sqlite3_bind_int64(st, col, v); };
  bool ok = Insert(
                db, "INSERT INTO units VALUES(?,?)", prov.size(),
                [&](sqlite3_stmt* st, size_t i) {
                  i64(st, 1, static_cast<int64_t>(i));
                  if (prov[i].empty())
                    sqlite3_bind_null(st, 2);
                  else
                    sqlite3_bind_text(st, 2, prov[i].c_str(), -1, SQLITE_TRANSIENT);
                },
                err) &&
            InsertColumns(db, "persons", d.p_id.size(), err, RowIndex{}, d.p_key, d.p_birth,
                          d.p_death, d.p_sex, d.p_roles, d.p_school) &&
            InsertColumns(db, "activities", d.a_person.size(), err, d.a_person, d.a_day, d.a_cls) &&
            InsertColumns(db, "reach", d.re_person.size(), err, d.re_person, d.re_from, d.re_to,
                          d.re_kind) &&
            InsertColumns(db, "screens", d.k_person.size(), err, d.k_person, d.k_day, d.k_level) &&
            Insert(
                db, "INSERT INTO cases VALUES(?,?,?,?,?,?,?,?)", d.c_id.size(),
                [&](sqlite3_stmt* st, size_t i) {
                  i64(st, 1, static_cast<int64_t>(i));
                  if (d.c_person[i] == indicators::kNone)
                    sqlite3_bind_null(st, 2);
                  else
                    i64(st, 2, d.c_person[i]);
                  i64(st, 3, d.c_key[i]);
                  i64(st, 4, d.c_kind[i]);
                  i64(st, 5, d.c_received[i]);
                  i64(st, 6, d.c_closed[i]);
                  i64(st, 7, d.c_assessed[i]);
                  i64(st, 8, d.c_in_time_until[i]);
                },
                err) &&
            InsertColumns(db, "referrals", d.r_id.size(), err, RowIndex{}, d.r_case, d.r_service,
                          d.r_status, d.r_requested);
  if (!ok) return false;
  std::vector<std::pair<uint32_t, uint32_t>> hist;  // (referral, history index)
  for (uint32_t r = 0; r < d.r_id.size(); ++r)
    for (uint32_t h = d.r_hbegin[r]; h < d.r_hend[r]; ++h) hist.emplace_back(r, h);
  ok = Insert(
      db, "INSERT INTO ref_hist VALUES(?,?,?)", hist.size(),
      [&](sqlite3_stmt* st, size_t i) {
        i64(st, 1, hist[i].first);
        i64(st, 2, d.h_at[hist[i].second]);
        i64(st, 3, d.h_status[hist[i].second]);
      },
      err);
  return ok && Exec(db, R"sql(
    CREATE INDEX activities_person ON activities(person);
    CREATE INDEX reach_person ON reach(person);
    CREATE INDEX screens_person ON screens(person, day);
    CREATE INDEX cases_person ON cases(person);
    CREATE INDEX referrals_case ON referrals(case_id);
    CREATE INDEX ref_hist_ref ON ref_hist(ref, at);
    COMMIT; ANALYZE;
  )sql",
                    err);
}

// SQL for the age in completed years (treem's AgeYmd, 29 February births a year older on
// 28 February of a common year) of packed birth date `b` on packed day `r`.
std::string AgeSql(const std::string& b, const std::string& r) {
  return absl::StrReplaceAll(
      "(($R >> 9) - ($B >> 9) - (CASE WHEN (($R >> 5) & 15) < (($B >> 5) & 15) OR "
      "((($R >> 5) & 15) = (($B >> 5) & 15) AND ($R & 31) < (CASE WHEN (($B >> 5) & 15) = 2 AND "
      "($B & 31) = 29 AND NOT (($R >> 9) % 4 = 0 AND (($R >> 9) % 100 <> 0 OR ($R >> 9) % 400 = "
      "0)) "
      "THEN 28 ELSE ($B & 31) END)) THEN 1 ELSE 0 END))",
      {{"$R", r}, {"$B", b}});
}
// Statistical band (0 under 5, 1 5-11, 2 12-14, 3 15-17, 4 adult, 5 unknown) of an age
// expression that is NULL when unknown.
std::string BandSql(const std::string& age) {
  return absl::StrReplaceAll(
      "(CASE WHEN $A IS NULL OR $A < 0 THEN 5 WHEN $A < 5 THEN 0 WHEN $A <= 11 THEN 1 WHEN $A <= "
      "14 "
      "THEN 2 WHEN $A <= 17 THEN 3 ELSE 4 END)",
      {{"$A", age}});
}
// Packed local (UTC+7) day of an instant in microseconds.
std::string LocalDaySql(const std::string& at) {
  const std::string d = absl::StrCat("date((", at, ") / 1000000 + 25200, 'unixepoch')");
  return absl::StrCat("(CAST(substr(", d, ", 1, 4) AS INTEGER) * 512 + CAST(substr(", d,
                      ", 6, 2) AS INTEGER) * 32 + CAST(substr(", d, ", 9, 2) AS INTEGER))");
}
// The cell of an event at instant `at` of person p (NULL person: unknown sex and band).
std::string EventBandSql(const std::string& at) {
  const std::string day = LocalDaySql(at);
  return BandSql(absl::StrCat("(CASE WHEN p.birth IS NULL OR p.birth = 0 OR p.birth > ", day,
                              " THEN NULL ELSE ", AgeSql("p.birth", day), " END)"));
}

// Counters: (indicator selector) -> (province or "" for all) x sex x band -> count.
struct Cells {
  std::map<std::tuple<std::string, std::string, int, int>, int64_t> v;  // sel, prov, sex, band
  void Add(const std::string& sel, const std::string& prov, int sex, int band, int64_t n) {
    v[{sel, prov, sex, band}] += n;
    v[{sel, "", sex, band}] += n;  // the country: every key, on the map or not
  }
  int64_t Get(const std::string& sel, const std::string& prov, int sex, int band) const {
    // sex/band -1: summed over.
    int64_t n = 0;
    for (int s = 0; s < 3; ++s) {
      if (sex >= 0 && s != sex) continue;
      for (int b = 0; b < 6; ++b) {
        if (band >= 0 && b != band) continue;
        auto it = v.find({sel, prov, s, b});
        if (it != v.end()) n += it->second;
      }
    }
    return n;
  }
};

// Runs `sql` whose rows are (province, sex, band, count...) and adds column i to sels[i].
bool Query(sqlite3* db, const std::string& sql, const std::vector<std::string>& sels, int64_t ref,
           int64_t start, int64_t ms, int64_t me, Cells* out, std::string* err) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    *err = absl::StrCat(sqlite3_errmsg(db), " in ", sql.substr(0, 300));
    return false;
  }
  auto bind = [&](const char* name, int64_t v) {
    const int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0) sqlite3_bind_int64(st, i, v);
  };
  bind(":ref", ref);
  bind(":start", start);
  bind(":end", ref);
  bind(":ms", ms);
  bind(":me", me);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char* p = sqlite3_column_text(st, 0);
    const std::string prov = p != nullptr ? reinterpret_cast<const char*>(p) : "\x01none";
    const int sex = std::min(sqlite3_column_int(st, 1), 2);
    const int band = sqlite3_column_int(st, 2);
    for (size_t i = 0; i < sels.size(); ++i)
      out->Add(sels[i], prov, sex, band, sqlite3_column_int64(st, static_cast<int>(3 + i)));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    *err = sqlite3_errmsg(db);
    return false;
  }
  return true;
}

bool RunSql(sqlite3* db, Cells* out, std::string* err) {
  const int64_t ref = rules::PackYmd(2025, 12, 31), start = rules::PackYmd(2025, 1, 1);
  const int64_t ms = cases::StartOfLocalDay(core::Date(2025, 1, 1));
  const int64_t me = cases::EndOfLocalDay(core::Date(2025, 12, 31));
  const std::string age = AgeSql("p.birth", ":ref");
  // Children 5-17 alive on the reference day, with their flags (one scan, correlated lookups
  // through the indexes).
  const std::string children = absl::StrCat(R"sql(
    WITH c AS (
      SELECT p.id AS id, p.key AS key, p.sex AS sex, p.school AS school, )sql",
                                            age, R"sql( AS age,
        EXISTS(SELECT 1 FROM activities a WHERE a.person = p.id AND a.day BETWEEN :start AND :end
               AND (a.cls & 7) >= 2) AS cl,
        EXISTS(SELECT 1 FROM activities a WHERE a.person = p.id AND a.day BETWEEN :start AND :end
               AND (a.cls & 7) >= 3) AS haz,
        EXISTS(SELECT 1 FROM activities a WHERE a.person = p.id AND a.day BETWEEN :start AND :end
               AND (a.cls & 8) <> 0) AS sdg,
        EXISTS(SELECT 1 FROM reach r WHERE r.person = p.id AND r.from_day <= :end
               AND r.to_day >= :start) AS informed
      FROM persons p
      WHERE p.birth <> 0 AND p.birth <= :ref AND (p.death = 0 OR p.death > :ref)),
    k AS (
      SELECT c.*, (c.cl OR
          COALESCE((SELECT s.level FROM screens s WHERE s.person = c.id AND s.day <= :end
                    ORDER BY s.day DESC, s.rowid DESC LIMIT 1), 0) >= 1 OR
          EXISTS(SELECT 1 FROM cases x WHERE x.person = c.id AND x.kind IN (1, 2, 3)
                 AND x.received <= :me AND (x.closed = 0 OR x.closed >= :ms))) AS risk
      FROM c WHERE c.age BETWEEN 5 AND 17)
    SELECT u.province, k.sex, )sql",
                                            BandSql("k.age"), R"sql( AS band, count(*), sum(k.cl),
      sum(k.haz), sum(k.sdg), sum(k.informed), sum(k.risk),
      sum(k.risk AND (k.school IN (1, 2) OR EXISTS(
          SELECT 1 FROM referrals r JOIN cases x ON x.id = r.case_id
          WHERE x.person = k.id AND r.service IN (1, 2, 3) AND
            (CASE WHEN EXISTS(SELECT 1 FROM ref_hist h WHERE h.ref = r.id)
                  THEN COALESCE((SELECT h.status FROM ref_hist h WHERE h.ref = r.id AND h.at <= :me
                                 ORDER BY h.rowid DESC LIMIT 1), 0)
                  ELSE r.status END) IN (3, 4))))
    FROM k JOIN units u ON u.key = k.key GROUP BY 1, 2, 3)sql");
  // Role holders alive on the reference day (their age cell: adult, or unknown).
  const std::string roles =
      absl::StrCat(R"sql(
    SELECT u.province, p.sex, )sql",
                   BandSql(absl::StrCat("(CASE WHEN p.birth = 0 OR p.birth > :ref THEN NULL "
                                        "ELSE ",
                                        age, " END)")),
                   R"sql( AS band,
      sum((p.roles & 1) <> 0), sum((p.roles & 1) <> 0 AND EXISTS(SELECT 1 FROM reach r
          WHERE r.person = p.id AND r.from_day <= :end AND r.to_day >= :start)),
      sum((p.roles & 2) <> 0), sum((p.roles & 2) <> 0 AND EXISTS(SELECT 1 FROM reach r
          WHERE r.person = p.id AND r.from_day <= :end AND r.to_day >= :start))
    FROM persons p JOIN units u ON u.key = p.key
    WHERE p.roles <> 0 AND (p.death = 0 OR p.death > :ref)
    GROUP BY 1, 2, 3)sql");
  // Cases: opened, closed, P2 population and in time (cells from the age at receipt).
  const std::string cases = absl::StrCat(R"sql(
    SELECT u.province, COALESCE(p.sex, 0), )sql",
                                         EventBandSql("x.received"), R"sql( AS band,
      sum(x.received BETWEEN :ms AND :me),
      sum(x.closed <> 0 AND x.closed BETWEEN :ms AND :me),
      sum(x.received BETWEEN :ms AND :me AND x.kind IN (1, 2, 3)),
      sum(x.received BETWEEN :ms AND :me AND x.kind IN (1, 2, 3) AND x.assessed <> 0
          AND x.assessed <= :me AND (CASE WHEN x.closed <> 0 AND x.closed <= :me THEN x.closed
                                     ELSE :me END) <= x.in_time_until)
    FROM cases x JOIN units u ON u.key = x.key LEFT JOIN persons p ON p.id = x.person
    GROUP BY 1, 2, 3)sql");
  // The case-opened band uses the age at receipt; closed cases too (treem: EventCell(received)).
  const std::string referrals = absl::StrCat(R"sql(
    SELECT u.province, COALESCE(p.sex, 0), )sql",
                                             EventBandSql("r.requested"), R"sql( AS band, count(*)
    FROM referrals r JOIN cases x ON x.id = r.case_id JOIN units u ON u.key = x.key
      LEFT JOIN persons p ON p.id = x.person
    WHERE r.requested BETWEEN :ms AND :me
    GROUP BY 1, 2, 3)sql");
  return Query(db, children,
               {"CHILDREN_5_17", "CHILDREN_5_17_CHILD_LABOUR", "CHILDREN_5_17_HAZARDOUS",
                "CHILDREN_5_17_SDG_ECONOMIC", "CHILDREN_5_17_INFORMED", "AT_RISK_OR_CL",
                "AT_RISK_OR_CL_IN_EDUCATION"},
               ref, start, ms, me, out, err) &&
         Query(db, roles,
               {"EDUCATION_STAFF", "EDUCATION_STAFF_INFORMED", "PARENTS_CARERS",
                "PARENTS_CARERS_INFORMED"},
               ref, start, ms, me, out, err) &&
         Query(db, cases, {"CASES_OPENED", "CASES_CLOSED", "CASES_P2", "CASES_P2_IN_TIME"}, ref,
               start, ms, me, out, err) &&
         Query(db, referrals, {"REFERRALS"}, ref, start, ms, me, out, err);
}

struct SqlSide {
  uint64_t children = 0;
  std::unique_ptr<Db> db;
  double load_seconds = 0;
  std::string error;
};
SqlSide& GetSql(uint64_t n) {
  static SqlSide s;
  if (s.children == n && s.db) return s;
  s = SqlSide{};
  s.children = n;
  Data& data = GetData(n);
  if (!data.d) {
    s.error = "dataset not built";
    return s;
  }
  auto db = std::make_unique<Db>();
  sqlite3_open(":memory:", &db->db);
  const auto t0 = std::chrono::steady_clock::now();
  if (!Load(db->db, *data.d, &s.error)) return s;
  s.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.db = std::move(db);
  return s;
}

indicators::ReportRequest SetRequest() {
  indicators::ReportRequest req = Request("");
  req.indicator_ids = QuerySet();
  return req;
}

// Compares every value of the treem report with the SQL cells; returns the first difference.
std::string Compare(schema::Report::Reader rep, const Cells& sql, size_t* compared) {
  std::map<std::string, const indicators::IndicatorDef*> defs;
  for (const auto& def : indicators::BuiltinDefinitions()) defs[def.id] = &def;
  *compared = 0;
  for (auto v : rep.getValues()) {
    const std::string id = v.getIndicatorId().cStr();
    auto it = defs.find(id);
    if (it == defs.end()) return absl::StrCat("unknown indicator ", id);
    const std::string unit = v.getUnitCode().cStr();
    const auto dis = v.getDisaggregation();
    const int sex = dis.getBySex() ? static_cast<int>(dis.getSex()) : -1;
    const int band = dis.getByStatBand() ? static_cast<int>(dis.getStatBand()) : -1;
    const std::string prov = unit == rep.getUnitCode().cStr() ? "" : unit;
    const int64_t num = sql.Get(it->second->numerator.selector, prov, sex, band);
    const int64_t den = it->second->has_denominator()
                            ? sql.Get(it->second->denominator.selector, prov, sex, band)
                            : 0;
    if (num != v.getNumerator() || den != v.getDenominator()) {
      return absl::StrCat(id, " unit '", unit, "' sex ", sex, " band ", band, ": treem ",
                          v.getNumerator(), "/", v.getDenominator(), ", SQLite ", num, "/", den);
    }
    ++*compared;
  }
  return "";
}

void BM_SqliteReport(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  SqlSide& s = GetSql(n);
  if (!s.db) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  Data& data = GetData(n);
  const auto req = SetRequest();
  (void)indicators::Compute(*data.d, req);  // unit codes resolved (cached) before timing
  std::vector<double> treem_ms;
  std::optional<indicators::ReportMessage> rep;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = indicators::Compute(*data.d, req);
    treem_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    rep.emplace(std::move(*r));
  }
  std::sort(treem_ms.begin(), treem_ms.end());
  PeakMemory peak;
  Cells cells;
  double sql_ms = 0;
  for (auto _ : state) {
    cells = Cells{};
    std::string err;
    const auto t0 = std::chrono::steady_clock::now();
    if (!RunSql(s.db->db, &cells, &err)) {
      state.SkipWithError(err.c_str());
      return;
    }
    sql_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  peak.Report(state);
  size_t compared = 0;
  const std::string diff = Compare(rep->reader(), cells, &compared);
  if (!diff.empty()) {
    state.SkipWithError(absl::StrCat("treem and SQLite differ: ", diff).c_str());
    return;
  }
  state.counters["values_compared"] = static_cast<double>(compared);
  state.counters["sqlite_ms"] = sql_ms;
  state.counters["treem_ms"] = treem_ms[treem_ms.size() / 2];
  state.counters["ratio"] = sql_ms / treem_ms[treem_ms.size() / 2];
  state.counters["load_s"] = s.load_seconds;
  state.counters["children"] = static_cast<double>(n);
}
BENCHMARK(BM_SqliteReport)->Apply(ApplyScales)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace treem::bench
