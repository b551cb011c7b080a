#include "exchange/csv_import.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "capnp/schema.h"
#include "exchange/text_fold.h"
#include "internal/huge_pages.h"
#include "internal/status_macros.h"
#include "treem/schema/common.capnp.h"
#include "treem/schema/people.capnp.h"

namespace treem::exchange {
namespace {

using internal::Sv;
namespace s = ::treem::schema;

// ---- name-based ids ----
// The import derives up to four v5 (SHA-1) ids per child row (record ids and command ids):
// core::NameUuid (hardware SHA-1 when the CPU has it). Record ids: NameUuid of
// "<kind><commune>|<key>", built in one reused buffer instead of a string per call.
core::Uuid KeyId(std::string_view kind, std::string_view commune, std::string_view key) {
  thread_local std::string buf;
  buf.assign(kind.data(), kind.size());
  buf.append(commune.data(), commune.size());
  buf.push_back('|');
  buf.append(key.data(), key.size());
  return core::NameUuid(buf);
}

constexpr std::string_view kHouseholdsFile = "households.csv";
constexpr std::string_view kChildrenFile = "children.csv";

// ---- columns -------------------------------------------------------------------------------

enum Col : int {
  // households.csv
  kHhKey = 0,
  kHhCommune,
  kHhVillage,
  kHhPovertyStatus,
  kHhPovertyStandard,
  kHhPovertyYear,
  kHhResidence,
  kHhCraftVillage,
  kHhCraftVillageName,
  kHhAddress,
  kHhCount,
};

enum ChildCol : int {
  kChKey = 0,
  kChHousehold,
  kChCommune,
  kChVillage,
  kChName,
  kChSex,
  kChBirthDate,
  kChBirthEstimated,
  kChEthnicity,
  kChNationalId,
  kChSchoolStatus,
  kChGrade,
  kChSchoolLevel,
  kChDroppedOutOn,
  kChDisability,
  kChSpecialGroups,
  kChRelationship,
  kChMigrant,
  kChLeftBehind,
  kChWithoutParents,
  kChCount,
};

struct ColumnSpec {
  int id;
  const char* name;  // canonical header name
  bool required;
  std::vector<const char*> aliases;  // besides `name`; compared folded
};

const std::vector<ColumnSpec>& HouseholdColumns() {
  static const auto* const kCols = new std::vector<ColumnSpec>{
      {kHhKey, "household_key", true, {"mã hộ", "mã hộ gia đình", "ma ho"}},
      {kHhCommune, "commune_code", false, {"mã xã", "ma xa"}},
      {kHhVillage,
       "village",
       false,
       {"village_code", "thôn", "tổ dân phố", "thôn/tổ dân phố", "thôn, tổ dân phố", "thon"}},
      {kHhPovertyStatus,
       "poverty_status",
       false,
       {"phân loại hộ", "diện hộ", "hộ nghèo/cận nghèo"}},
      {kHhPovertyStandard, "poverty_standard", false, {"chuẩn nghèo"}},
      {kHhPovertyYear, "poverty_year", false, {"năm rà soát", "năm xét duyệt"}},
      {kHhResidence, "residence", false, {"khu vực", "nông thôn/thành thị"}},
      {kHhCraftVillage, "craft_village", false, {"hộ làng nghề", "làng nghề"}},
      {kHhCraftVillageName, "craft_village_name", false, {"tên làng nghề"}},
      {kHhAddress, "address", false, {"địa chỉ"}},
  };
  return *kCols;
}

const std::vector<ColumnSpec>& ChildColumns() {
  static const auto* const kCols = new std::vector<ColumnSpec>{
      {kChKey, "child_key", true, {"mã trẻ", "mã trẻ em", "ma tre"}},
      {kChHousehold, "household_key", false, {"mã hộ", "mã hộ gia đình", "ma ho"}},
      {kChCommune, "commune_code", false, {"mã xã", "ma xa"}},
      {kChVillage,
       "village",
       false,
       {"village_code", "thôn", "tổ dân phố", "thôn/tổ dân phố", "thôn, tổ dân phố", "thon"}},
      {kChName, "full_name", true, {"họ và tên", "họ tên", "ho va ten", "ho ten", "name"}},
      {kChSex, "sex", true, {"giới tính", "gioi tinh", "gender"}},
      {kChBirthDate,
       "birth_date",
       true,
       {"ngày sinh", "ngày tháng năm sinh", "ngay sinh", "date_of_birth", "dob"}},
      {kChBirthEstimated, "birth_date_estimated", false, {"ngày sinh ước tính", "ước tính"}},
      {kChEthnicity, "ethnicity", false, {"dân tộc", "dan toc"}},
      {kChNationalId,
       "national_id",
       false,
       {"số định danh cá nhân", "số định danh", "mã định danh", "số cccd", "cccd"}},
      {kChSchoolStatus, "school_status", false, {"tình trạng đi học", "tình trạng học tập"}},
      {kChGrade, "grade", false, {"lớp", "lop"}},
      {kChSchoolLevel, "school_level", false, {"cấp học"}},
      {kChDroppedOutOn, "dropped_out_on", false, {"ngày bỏ học"}},
      {kChDisability, "disability", false, {"khuyết tật", "mức độ khuyết tật"}},
      {kChSpecialGroups,
       "special_groups",
       false,
       {"hoàn cảnh đặc biệt", "nhóm hoàn cảnh đặc biệt", "nhóm hcđb"}},
      {kChRelationship, "relationship", false, {"quan hệ với chủ hộ", "quan hệ"}},
      {kChMigrant, "migrant", false, {"di cư"}},
      {kChLeftBehind, "left_behind", false, {"cha mẹ đi làm ăn xa", "bố mẹ đi làm ăn xa"}},
      {kChWithoutParents,
       "lives_without_parents",
       false,
       {"không sống cùng cha mẹ", "không sống với cha mẹ"}},
  };
  return *kCols;
}

// ---- code tables ---------------------------------------------------------------------------

// A folded-name -> enum value table: every enumerant name of E (camelCase folds to the same
// key as snake_case) plus the given aliases.
template <typename E>
absl::flat_hash_map<std::string, E> CodeTable(
    std::initializer_list<std::pair<const char*, E>> aliases) {
  absl::flat_hash_map<std::string, E> out;
  for (auto e : capnp::Schema::from<E>().getEnumerants()) {
    out[FoldKey(TextOf(e.getProto().getName()))] = static_cast<E>(e.getOrdinal());
  }
  for (const auto& [alias, value] : aliases) out[FoldKey(alias)] = value;
  return out;
}

template <typename E>
std::optional<E> LookUp(const absl::flat_hash_map<std::string, E>& table, std::string_view value,
                        FoldBuffer& buf) {
  std::string_view key;
  if (!buf.Fold(value, key)) return std::nullopt;
  // Heterogeneous lookup: the table's hash and equality accept absl::string_view.
  auto it = table.find(Sv(key));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

const absl::flat_hash_map<std::string, s::Sex>& SexTable() {
  static const auto* const t = new absl::flat_hash_map<std::string, s::Sex>(CodeTable<s::Sex>({
      {"m", s::Sex::MALE},
      {"f", s::Sex::FEMALE},
      {"nam", s::Sex::MALE},
      {"nữ", s::Sex::FEMALE},
      {"nu", s::Sex::FEMALE},
  }));
  return *t;
}

const absl::flat_hash_map<std::string, s::PovertyStatus>& PovertyStatusTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::PovertyStatus>(CodeTable<s::PovertyStatus>({
          {"nghèo", s::PovertyStatus::POOR},
          {"hộ nghèo", s::PovertyStatus::POOR},
          {"cận nghèo", s::PovertyStatus::NEAR_POOR},
          {"hộ cận nghèo", s::PovertyStatus::NEAR_POOR},
          {"trung bình", s::PovertyStatus::AVERAGE},
          {"mức sống trung bình", s::PovertyStatus::AVERAGE},
          {"không", s::PovertyStatus::NONE},
          {"không thuộc diện", s::PovertyStatus::NONE},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::PovertyStandard>& PovertyStandardTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::PovertyStandard>(CodeTable<s::PovertyStandard>({
          {"59/2015", s::PovertyStandard::DECISION59OF2015},
          {"07/2021", s::PovertyStandard::DECREE07OF2021},
          {"351/2025", s::PovertyStandard::DECREE351OF2025},
          {"tỉnh", s::PovertyStandard::PROVINCIAL},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::Residence>& ResidenceTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::Residence>(CodeTable<s::Residence>({
          {"nông thôn", s::Residence::RURAL},
          {"thành thị", s::Residence::URBAN},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::SchoolAttendance>& AttendanceTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::SchoolAttendance>(CodeTable<s::SchoolAttendance>({
          {"đang đi học", s::SchoolAttendance::ENROLLED},
          {"đi học", s::SchoolAttendance::ENROLLED},
          {"đi học không đều", s::SchoolAttendance::IRREGULAR},
          {"không thường xuyên", s::SchoolAttendance::IRREGULAR},
          {"bỏ học", s::SchoolAttendance::DROPPED_OUT},
          {"chưa đi học", s::SchoolAttendance::NEVER_ENROLLED},
          {"chưa từng đi học", s::SchoolAttendance::NEVER_ENROLLED},
          {"đã học xong", s::SchoolAttendance::COMPLETED},
          {"tốt nghiệp", s::SchoolAttendance::COMPLETED},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::SchoolLevel>& LevelTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::SchoolLevel>(CodeTable<s::SchoolLevel>({
          {"mầm non", s::SchoolLevel::PRESCHOOL},
          {"tiểu học", s::SchoolLevel::PRIMARY},
          {"thcs", s::SchoolLevel::LOWER_SECONDARY},
          {"trung học cơ sở", s::SchoolLevel::LOWER_SECONDARY},
          {"thpt", s::SchoolLevel::UPPER_SECONDARY},
          {"trung học phổ thông", s::SchoolLevel::UPPER_SECONDARY},
          {"giáo dục nghề nghiệp", s::SchoolLevel::VOCATIONAL},
          {"học nghề", s::SchoolLevel::VOCATIONAL},
          {"giáo dục thường xuyên", s::SchoolLevel::CONTINUING_EDUCATION},
          {"gdtx", s::SchoolLevel::CONTINUING_EDUCATION},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::DisabilityLevel>& DisabilityTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::DisabilityLevel>(CodeTable<s::DisabilityLevel>({
          {"không", s::DisabilityLevel::NONE},
          {"nhẹ", s::DisabilityLevel::MILD},
          {"nặng", s::DisabilityLevel::SEVERE},
          {"đặc biệt nặng", s::DisabilityLevel::ESPECIALLY_SEVERE},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::Relationship>& RelationshipTable() {
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::Relationship>(CodeTable<s::Relationship>({
          {"chủ hộ", s::Relationship::HEAD},
          {"vợ", s::Relationship::SPOUSE},
          {"chồng", s::Relationship::SPOUSE},
          {"con", s::Relationship::CHILD},
          {"con đẻ", s::Relationship::CHILD},
          {"con riêng", s::Relationship::STEP_CHILD},
          {"con nuôi", s::Relationship::ADOPTED_CHILD},
          {"cháu", s::Relationship::GRANDCHILD},
          {"cháu nội", s::Relationship::GRANDCHILD},
          {"cháu ngoại", s::Relationship::GRANDCHILD},
          {"bố", s::Relationship::PARENT},
          {"mẹ", s::Relationship::PARENT},
          {"cha", s::Relationship::PARENT},
          {"ông", s::Relationship::GRANDPARENT},
          {"bà", s::Relationship::GRANDPARENT},
          {"anh", s::Relationship::SIBLING},
          {"chị", s::Relationship::SIBLING},
          {"em", s::Relationship::SIBLING},
          {"họ hàng", s::Relationship::OTHER_RELATIVE},
          {"không họ hàng", s::Relationship::NON_RELATIVE},
          {"chăm sóc thay thế", s::Relationship::FOSTER_CHILD},
      }));
  return *t;
}

const absl::flat_hash_map<std::string, s::Ethnicity>& EthnicityTable() {
  // Names of Decision 121-TCTK/PPCĐ (the schema's numbering); imports map by name only.
  static const auto* const t =
      new absl::flat_hash_map<std::string, s::Ethnicity>(CodeTable<s::Ethnicity>({
          {"Kinh", s::Ethnicity::KINH},
          {"Việt", s::Ethnicity::KINH},
          {"Tày", s::Ethnicity::TAY},
          {"Thái", s::Ethnicity::THAI},
          {"Hoa", s::Ethnicity::HOA},
          {"Hán", s::Ethnicity::HOA},
          {"Khơ-me", s::Ethnicity::KHMER},
          {"Khơ me", s::Ethnicity::KHMER},
          {"Mường", s::Ethnicity::MUONG},
          {"Nùng", s::Ethnicity::NUNG},
          {"H'Mông", s::Ethnicity::HMONG},
          {"Mông", s::Ethnicity::HMONG},
          {"Dao", s::Ethnicity::DAO},
          {"Gia-rai", s::Ethnicity::GIA_RAI},
          {"Ngái", s::Ethnicity::NGAI},
          {"Ê-đê", s::Ethnicity::EDE},
          {"Ba-na", s::Ethnicity::BA_NA},
          {"Xơ-đăng", s::Ethnicity::XO_DANG},
          {"Sán Chay", s::Ethnicity::SAN_CHAY},
          {"Cơ-ho", s::Ethnicity::CO_HO},
          {"Chăm", s::Ethnicity::CHAM},
          {"Sán Dìu", s::Ethnicity::SAN_DIU},
          {"Hrê", s::Ethnicity::HRE},
          {"Mnông", s::Ethnicity::MNONG},
          {"Ra-glai", s::Ethnicity::RA_GLAI},
          {"Xtiêng", s::Ethnicity::X_TIENG},
          {"Bru-Vân Kiều", s::Ethnicity::BRU_VAN_KIEU},
          {"Thổ", s::Ethnicity::THO},
          {"Giáy", s::Ethnicity::GIAY},
          {"Cơ-tu", s::Ethnicity::CO_TU},
          {"Gié-Triêng", s::Ethnicity::GIE_TRIENG},
          {"Mạ", s::Ethnicity::MA},
          {"Khơ-mú", s::Ethnicity::KHO_MU},
          {"Co", s::Ethnicity::CO},
          {"Tà-ôi", s::Ethnicity::TA_OI},
          {"Chơ-ro", s::Ethnicity::CHO_RO},
          {"Kháng", s::Ethnicity::KHANG},
          {"Xinh-mun", s::Ethnicity::XINH_MUN},
          {"Hà Nhì", s::Ethnicity::HA_NHI},
          {"Chu-ru", s::Ethnicity::CHU_RU},
          {"Lào", s::Ethnicity::LAO},
          {"La Chí", s::Ethnicity::LA_CHI},
          {"La Ha", s::Ethnicity::LA_HA},
          {"Phù Lá", s::Ethnicity::PHU_LA},
          {"La Hủ", s::Ethnicity::LA_HU},
          {"Lự", s::Ethnicity::LU},
          {"Lô Lô", s::Ethnicity::LO_LO},
          {"Chứt", s::Ethnicity::CHUT},
          {"Mảng", s::Ethnicity::MANG},
          {"Pà Thẻn", s::Ethnicity::PA_THEN},
          {"Cơ Lao", s::Ethnicity::CO_LAO},
          {"Cống", s::Ethnicity::CONG},
          {"Bố Y", s::Ethnicity::BO_Y},
          {"Si La", s::Ethnicity::SI_LA},
          {"Pu Péo", s::Ethnicity::PU_PEO},
          {"Brâu", s::Ethnicity::BRAU},
          {"Ơ Đu", s::Ethnicity::O_DU},
          {"Rơ-măm", s::Ethnicity::RO_MAM},
          {"nước ngoài", s::Ethnicity::FOREIGNER},
          {"người nước ngoài", s::Ethnicity::FOREIGNER},
      }));
  return *t;
}

std::optional<bool> ParseBool(std::string_view v, FoldBuffer& buf) {
  std::string_view k;
  if (v.empty()) return false;
  if (!buf.Fold(v, k)) return std::nullopt;
  if (k == "1" || k == "true" || k == "yes" || k == "y" || k == "x" || k == "có" || k == "co") {
    return true;
  }
  if (k == "0" || k == "false" || k == "no" || k == "n" || k == "không" || k == "khong") {
    return false;
  }
  return std::nullopt;
}

// ---- dates ---------------------------------------------------------------------------------

enum class DateResult { kOk, kFormat, kNotCalendar, kYearRange };

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view v, int& out) {
  if (v.empty() || v.size() > 4) return false;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  out = n;
  return true;
}

struct YMD {
  int y = 0, m = 0, d = 0;
  bool year_only = false;
  bool operator>(const YMD& o) const { return y != o.y ? y > o.y : m != o.m ? m > o.m : d > o.d; }
};

// YYYY-MM-DD, DD/MM/YYYY (also D/M/YYYY), or, when allow_year_only, YYYY (1 July of the year,
// flagged year_only).
DateResult ParseDay(std::string_view v, bool allow_year_only, YMD& out) {
  out = YMD{};
  if (allow_year_only && v.size() == 4 && Digits(v, out.y)) {
    out.m = 7;
    out.d = 1;
    out.year_only = true;
  } else if (v.size() == 10 && v[4] == '-' && v[7] == '-') {
    if (!Digits(v.substr(0, 4), out.y) || !Digits(v.substr(5, 2), out.m) ||
        !Digits(v.substr(8, 2), out.d)) {
      return DateResult::kFormat;
    }
  } else {
    const size_t a = v.find('/');
    const size_t b = a == std::string_view::npos ? a : v.find('/', a + 1);
    if (b == std::string_view::npos || a == 0 || a > 2 || b - a - 1 == 0 || b - a - 1 > 2 ||
        v.size() - b - 1 != 4) {
      return DateResult::kFormat;
    }
    if (!Digits(v.substr(0, a), out.d) || !Digits(v.substr(a + 1, b - a - 1), out.m) ||
        !Digits(v.substr(b + 1), out.y)) {
      return DateResult::kFormat;
    }
  }
  if (out.y < 1900 || out.y > 2199) return DateResult::kYearRange;
  if (out.m < 1 || out.m > 12 || out.d < 1 || out.d > DaysIn(out.y, out.m)) {
    return DateResult::kNotCalendar;
  }
  return DateResult::kOk;
}

void SetDate(s::Date::Builder b, const YMD& d) {
  b.setYear(static_cast<int16_t>(d.y));
  b.setMonth(static_cast<uint8_t>(d.m));
  b.setDay(static_cast<uint8_t>(d.d));
}

// ---- CSV tokenizer -------------------------------------------------------------------------

// Reads records of an RFC 4180 text without copying: fields are views into the text, except
// fields with "" escapes, which are unescaped into `unescaped` (stable storage owned by the
// caller, so views stay valid as long as it lives).
class CsvReader {
 public:
  CsvReader(std::string_view text, std::deque<std::string>* unescaped)
      : text_(text), unescaped_(unescaped) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }

  // Reads the next non-blank record. False at the end of the text.
  bool Next() {
    while (pos_ < text_.size()) {
      ReadRecord();
      bool blank = true;
      for (auto f : fields_) {
        if (!f.empty()) {
          blank = false;
          break;
        }
      }
      if (!blank || error_ != Syntax::kNone) return true;
    }
    return false;
  }

  enum class Syntax { kNone, kTextAfterQuote, kUnterminatedQuote };

  const std::vector<std::string_view>& fields() const { return fields_; }
  int line() const { return record_line_; }
  Syntax error() const { return error_; }
  size_t error_field() const { return error_field_; }

 private:
  static std::string_view Trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  }

  void ReadRecord() {
    fields_.clear();
    error_ = Syntax::kNone;
    record_line_ = line_;
    const char* const data = text_.data();
    const size_t n = text_.size();
    while (true) {
      // One field starting at pos_.
      size_t p = pos_;
      while (p < n && (data[p] == ' ' || data[p] == '\t')) ++p;
      if (p < n && data[p] == '"') {
        ReadQuoted(p + 1);
      } else {
        size_t q = pos_;
        while (q < n) {
          const char c = data[q];
          if (c == ',' || c == '\n' || c == '\r') break;
          ++q;
        }
        fields_.push_back(Trim(std::string_view(data + pos_, q - pos_)));
        pos_ = q;
      }
      // Field separator or record end.
      if (pos_ >= n) return;
      const char c = data[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '\r') ++pos_;
      if (pos_ < n && data[pos_] == '\n') ++pos_;
      ++line_;
      return;
    }
  }

  // Reads a quoted field whose content starts at `p`; leaves pos_ after the field.
  void ReadQuoted(size_t p) {
    const char* const data = text_.data();
    const size_t n = text_.size();
    const size_t start = p;
    std::string* owned = nullptr;
    size_t chunk = p;
    while (true) {
      const void* hit = std::memchr(data + p, '"', n - p);
      // Count line breaks inside the quoted text for line numbers.
      const size_t end =
          hit == nullptr ? n : static_cast<size_t>(static_cast<const char*>(hit) - data);
      for (size_t i = p; i < end; ++i) line_ += data[i] == '\n';
      if (hit == nullptr) {
        error_ = Syntax::kUnterminatedQuote;
        error_field_ = fields_.size();
        fields_.push_back(std::string_view());
        pos_ = n;
        return;
      }
      if (end + 1 < n && data[end + 1] == '"') {  // "" escape
        if (owned == nullptr) owned = &unescaped_->emplace_back();
        owned->append(data + chunk, end + 1 - chunk);
        p = end + 2;
        chunk = p;
        continue;
      }
      std::string_view value;
      if (owned != nullptr) {
        owned->append(data + chunk, end - chunk);
        value = *owned;
      } else {
        value = std::string_view(data + start, end - start);
      }
      fields_.push_back(Trim(value));
      p = end + 1;
      while (p < n && (data[p] == ' ' || data[p] == '\t')) ++p;
      if (p < n && data[p] != ',' && data[p] != '\n' && data[p] != '\r') {
        if (error_ == Syntax::kNone) {
          error_ = Syntax::kTextAfterQuote;
          error_field_ = fields_.size() - 1;
        }
        while (p < n && data[p] != ',' && data[p] != '\n' && data[p] != '\r') ++p;
      }
      pos_ = p;
      return;
    }
  }

  std::string_view text_;
  std::deque<std::string>* unescaped_;
  size_t pos_ = 0;
  int line_ = 1;
  int record_line_ = 1;
  std::vector<std::string_view> fields_;
  Syntax error_ = Syntax::kNone;
  size_t error_field_ = 0;
};

// ---- validation helpers --------------------------------------------------------------------

bool ValidUtf8(std::string_view v) {
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  const auto* e = p + v.size();
  while (p < e) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (e - p < len) return false;
    for (int i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += len;
  }
  return true;
}

// Control characters; line breaks and tabs are allowed only when allow_breaks (multi-line
// free text such as an address).
bool HasControl(std::string_view v, bool allow_breaks = false) {
  for (char c : v) {
    if (allow_breaks && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// Whether a bad code may be quoted in a message: short ASCII letters/underscores/dots/slashes
// with few digits. Anything else (a name or an id shifted into a code column) is withheld.
bool Echoable(std::string_view v) {
  if (v.empty() || v.size() > 12) return false;
  int digits = 0;
  for (char c : v) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !digit && c != '_' && c != '.' && c != '/' && c != '-') return false;
    digits += digit;
  }
  return digits <= 4;
}

bool CommuneCodeShape(std::string_view v) {
  if (v.size() != 5) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- rows ----------------------------------------------------------------------------------

struct HouseholdRow {
  int line = 0;
  std::string_view key, commune, village, craft_name, address;
  bool has_poverty = false;
  s::PovertyStatus status = s::PovertyStatus::UNKNOWN;
  s::PovertyStandard standard = s::PovertyStandard::UNKNOWN;
  uint16_t year = 0;
  s::Residence residence = s::Residence::UNKNOWN;
  bool craft = false;
  bool ok = true;
};

struct ChildRow {
  int line = 0;
  std::string_view key, household_key, commune, village, name, national_id;
  int household = -1;  // index into the household rows, -1 = not in this import
  s::Sex sex = s::Sex::UNKNOWN;
  YMD birth;
  bool birth_estimated = false;
  s::Ethnicity ethnicity = s::Ethnicity::UNKNOWN;
  s::SchoolAttendance attendance = s::SchoolAttendance::UNKNOWN;
  uint8_t grade = 0;
  s::SchoolLevel level = s::SchoolLevel::UNKNOWN;
  YMD dropped_out;
  bool has_dropped_out = false;
  s::DisabilityLevel disability = s::DisabilityLevel::UNKNOWN;
  std::string_view special_groups;
  s::Relationship relationship = s::Relationship::UNKNOWN;
  bool migrant = false, left_behind = false, without_parents = false;
  bool ok = true;
};

// Parses "a; k.1; TE-d.2" (separators ';', ',' or '|'). Calls fn(group, subtype) per item;
// returns the 1-based index of the first bad item, or 0.
struct GroupSpec {
  const char* letter;  // UTF-8 (đ is two bytes)
  s::SpecialGroup group;
  int max_subtype;
};
constexpr GroupSpec kGroups[] = {
    {"a", s::SpecialGroup::ORPHANED, 4},
    {"b", s::SpecialGroup::ABANDONED, 2},
    {"c", s::SpecialGroup::WITHOUT_CARER, 12},
    {"d", s::SpecialGroup::DISABLED, 3},
    {"\xC4\x91", s::SpecialGroup::HIV_AIDS, 0},  // đ
    {"e", s::SpecialGroup::IN_CONFLICT_WITH_LAW, 4},
    {"g", s::SpecialGroup::DRUG_ADDICTED, 2},
    {"h", s::SpecialGroup::DROPPED_OUT_TO_WORK, 2},
    {"i", s::SpecialGroup::HARMED_BY_VIOLENCE, 0},
    {"k", s::SpecialGroup::EXPLOITED, 5},
    {"l", s::SpecialGroup::SEXUALLY_ABUSED, 0},
    {"m", s::SpecialGroup::TRAFFICKED, 2},
    {"n", s::SpecialGroup::SERIOUSLY_ILL_IN_POOR_HOUSEHOLD, 0},
    {"o", s::SpecialGroup::UNACCOMPANIED_MIGRANT, 0},
};

template <typename Fn>
int ForEachGroup(std::string_view list, FoldBuffer& buf, Fn&& fn) {
  int index = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find_first_of(";,|", start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    start = end + 1;
    if (item.empty()) continue;
    ++index;
    std::string_view folded;
    if (!buf.Fold(item, folded, /*keep_separators=*/true)) return index;
    if (folded.substr(0, 3) == "te-") folded.remove_prefix(3);
    const size_t dot = folded.find('.');
    std::string_view letter = folded.substr(0, dot);
    int sub = 0;
    if (dot != std::string_view::npos) {
      const std::string_view num = folded.substr(dot + 1);
      if (num.size() > 2 || !Digits(num, sub) || sub == 0) return index;
    }
    const GroupSpec* spec = nullptr;
    for (const auto& g : kGroups) {
      if (letter == g.letter) spec = &g;
    }
    if (spec == nullptr || sub > spec->max_subtype) return index;
    fn(spec->group, sub);
  }
  return 0;
}

// ---- the result message ---------------------------------------------------------------------

// Large zeroed memory for batches, reused between imports. Fresh memory is very expensive in
// a VM (page faults, the kernel zeroing pages: 0.2-0.6 GB/s measured here even in 2 MiB pages,
// against ~20 GB/s for zeroing memory already mapped), so a batch's mapping goes back to a
// one-entry cache when the batch is destroyed: zeroed where it was written, then handed to the
// kernel as MADV_FREE (reclaimed under memory pressure, reading as zeros afterwards), so the
// cache never holds memory the system needs.
class BatchMemory {
 public:
  static constexpr size_t kHuge = size_t{2} << 20;

  struct Block {
    void* base = nullptr;  // the mapping
    size_t bytes = 0;
    capnp::word* start() const {
      return reinterpret_cast<capnp::word*>((reinterpret_cast<uintptr_t>(base) + kHuge - 1) &
                                            ~uintptr_t{kHuge - 1});
    }
    size_t words() const {
      return (static_cast<char*>(base) + bytes - reinterpret_cast<char*>(start())) /
             sizeof(capnp::word);
    }
  };

  // A zeroed block of at least `words` words starting on a 2 MiB boundary (huge pages advised
  // before first touch); base == nullptr when the mapping fails.
  static Block Take(size_t words) {
    Block spare;
    {
      std::lock_guard<std::mutex> lock(Mu());
      std::swap(spare, Spare());
    }
    if (spare.base != nullptr && spare.words() >= words) return spare;
    Unmap(spare);
    Block b;
    b.bytes = (words * sizeof(capnp::word) + 2 * kHuge - 1) & ~(kHuge - 1);
    void* p = ::mmap(nullptr, b.bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return Block{};
    b.base = p;
    internal::AdviseHugePages(b.start(), b.words() * sizeof(capnp::word));
    return b;
  }

  // Gives a block back; its first `written_words` words may be non-zero.
  static void Return(Block b, size_t written_words) {
    if (b.base == nullptr) return;
    const size_t dirty = std::min(written_words, b.words()) * sizeof(capnp::word);
    std::memset(b.start(), 0, dirty);
#ifdef MADV_FREE
    const size_t pages = (dirty + kHuge - 1) & ~(kHuge - 1);
    if (pages > 0)
      ::madvise(b.start(), std::min(pages, b.words() * sizeof(capnp::word)), MADV_FREE);
#endif
    {
      std::lock_guard<std::mutex> lock(Mu());
      if (Spare().bytes < b.bytes) std::swap(b, Spare());
    }
    Unmap(b);
  }

 private:
  static void Unmap(const Block& b) {
    if (b.base != nullptr) ::munmap(b.base, b.bytes);
  }
  static std::mutex& Mu() {
    static auto* const mu = new std::mutex;  // never destroyed: results may outlive statics
    return *mu;
  }
  static Block& Spare() {
    static Block spare;
    return spare;
  }
};

// Words of a struct's data and pointer sections.
template <typename T>
size_t StructWords() {
  const auto st = capnp::Schema::from<T>().getProto().getStruct();
  return st.getDataWordCount() + st.getPointerCount();
}

// An upper bound of the words of one import command without its texts (envelope and payload
// texts: at most six, each up to its bytes / 8 + 1 words) and special circumstances.
size_t CommandWords() {
  static const size_t kWords = [] {
    const size_t uuid = StructWords<s::Uuid>();
    const size_t date = StructWords<s::Date>();
    const size_t person = StructWords<s::Person>() + uuid + StructWords<s::BirthDate>() + date +
                          uuid + StructWords<s::SchoolStatus>() + date + 1;
    const size_t household =
        StructWords<s::Household>() + uuid + 1 + StructWords<s::PovertyAssessment>();
    const size_t link =
        StructWords<s::LinkHouseholdMember>() + uuid + StructWords<s::HouseholdMember>() + uuid;
    return StructWords<s::Command>() + StructWords<s::Actor>() + StructWords<s::Timestamp>() +
           uuid + std::max({person, household, link}) + 6;
  }();
  return kWords;
}

// The batch's builder. Building a 100-400 MB batch in fresh memory costs more in page faults
// than writing the commands, so a batch of at least kMappedWords gets one first segment, sized
// from the input, from BatchMemory; smaller ones use MallocMessageBuilder's own allocation with
// the same first-segment size.
class ImportMessageBuilder final : public capnp::MallocMessageBuilder {
 public:
  static constexpr size_t kMappedWords = size_t{1} << 20;  // 8 MiB
  static constexpr size_t kMaxSegmentWords = size_t{1} << 28;

  explicit ImportMessageBuilder(size_t estimated_words)
      : capnp::MallocMessageBuilder(
            static_cast<unsigned>(std::clamp<size_t>(estimated_words, 1024, kMappedWords))),
        first_words_(std::min(estimated_words, kMaxSegmentWords)) {}

  ~ImportMessageBuilder() noexcept(false) override {
    if (block_.base == nullptr) return;
    size_t written = block_.words();
    auto segments = getSegmentsForOutput();
    if (segments.size() > 0 && segments[0].begin() == block_.start()) {
      written = segments[0].size();
    }
    BatchMemory::Return(block_, written);
  }

  kj::ArrayPtr<capnp::word> allocateSegment(unsigned minimum_size) override {
    if (!first_done_) {
      first_done_ = true;
      const size_t words = std::min(std::max<size_t>(minimum_size, first_words_), kMaxSegmentWords);
      if (words >= kMappedWords) {
        block_ = BatchMemory::Take(words);
        if (block_.base != nullptr) {
          return kj::ArrayPtr<capnp::word>(block_.start(),
                                           std::min(block_.words(), kMaxSegmentWords));
        }
      }
    }
    return capnp::MallocMessageBuilder::allocateSegment(minimum_size);
  }

 private:
  size_t first_words_;
  bool first_done_ = false;
  BatchMemory::Block block_;
};

// An upper estimate of the records of a CSV text from the line lengths of its first 64 KiB
// (records may span lines, never the reverse), for reserving the row tables up front.
size_t EstimateRecords(std::string_view text) {
  constexpr size_t kSample = size_t{64} << 10;
  const std::string_view sample = text.substr(0, kSample);
  const size_t lines = static_cast<size_t>(std::count(sample.begin(), sample.end(), '\n')) + 1;
  if (sample.size() == text.size()) return lines;
  // Lines of 24 bytes at least: a sample of blank lines does not reserve a table many times
  // the text (more records than that only cost a regrowth).
  return text.size() / std::max<size_t>(sample.size() / lines, 24) * 5 / 4 + 64;
}

// Row numbers of a row table found by the rows' keys (`Row::key`), for duplicate keys and
// household look-ups: 4-byte slots where a map of key views takes 24, so the index of a large
// file stays small in the caches; keys are compared in the table itself.
template <typename Row>
class KeyIndex {
 public:
  explicit KeyIndex(const std::vector<Row>* rows) : set_(0, Hash{rows}, Eq{rows}) {}

  void reserve(size_t n) { set_.reserve(n); }

  // Adds row `i` (a non-empty key); returns the row with the same key added before, or -1.
  int64_t Insert(size_t i) {
    auto [it, inserted] = set_.insert(static_cast<uint32_t>(i));
    return inserted ? -1 : static_cast<int64_t>(*it);
  }
  // The row with `key`, or -1.
  int64_t Find(std::string_view key) const {
    auto it = set_.find(key);
    return it == set_.end() ? -1 : static_cast<int64_t>(*it);
  }

 private:
  struct Hash {
    using is_transparent = void;
    const std::vector<Row>* rows;
    size_t operator()(std::string_view key) const {
      return absl::Hash<absl::string_view>()(Sv(key));
    }
    size_t operator()(uint32_t i) const { return (*this)((*rows)[i].key); }
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<Row>* rows;
    std::string_view Key(std::string_view key) const { return key; }
    std::string_view Key(uint32_t i) const { return (*rows)[i].key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Key(a) == Key(b);
    }
  };
  absl::flat_hash_set<uint32_t, Hash, Eq> set_;
};

// ---- the importer --------------------------------------------------------------------------

class Importer {
 public:
  Importer(const CsvImportOptions& options, CsvImportResult& result)
      : opt_(options), result_(result) {
    // The import day in Vietnam (UTC+7): birth dates may not be after it.
    const int64_t days = (options.at_micros / 1000000 + 7 * 3600) / 86400;
    core::Date today = core::FromDayNumber(static_cast<core::DayNumber>(days));
    today_ = YMD{today.year(), today.month(), today.day()};
    units_on_ = options.units_on.value_or(today);
  }

  absl::Status ReadHouseholds(std::string_view text) {
    CsvReader reader(text, &unescaped_);
    const size_t estimate = EstimateRecords(text);
    internal::ReserveAdvised(households_, estimate);  // tens of MB for a large import
    household_index_.reserve(estimate);
    std::array<int, kHhCount> cols;
    if (!ReadHeader(reader, kHouseholdsFile, HouseholdColumns(), cols.data(), kHhCount)) {
      return CountRemaining(reader, result_.stats.household_rows);
    }
    FoldBuffer fold;
    while (reader.Next()) {
      HouseholdRow row;
      row.line = reader.line();
      ++result_.stats.household_rows;
      file_ = kHouseholdsFile;
      row_ok_ = true;
      line_ = row.line;
      if (RowShapeOk(reader, cols.data(), kHhCount)) {
        ParseHousehold(reader.fields(), cols.data(), fold, row);
      }
      households_.push_back(row);
      if (!row.key.empty()) {
        if (const int64_t first = household_index_.Insert(households_.size() - 1); first >= 0) {
          HouseholdIssue(
              kHhKey, ValueClass::kWithheld,
              absl::StrCat("duplicate of line ", households_[static_cast<size_t>(first)].line));
        }
      }
      households_.back().ok = row_ok_;
      TREEM_RETURN_IF_ERROR(Progress());
    }
    return absl::OkStatus();
  }

  absl::Status ReadChildren(std::string_view text, bool households_given) {
    CsvReader reader(text, &unescaped_);
    const size_t estimate = EstimateRecords(text);
    internal::ReserveAdvised(children_, estimate);
    std::array<int, kChCount> cols;
    if (!ReadHeader(reader, kChildrenFile, ChildColumns(), cols.data(), kChCount)) {
      return CountRemaining(reader, result_.stats.child_rows);
    }
    FoldBuffer fold;
    KeyIndex<ChildRow> child_index(&children_);
    child_index.reserve(estimate);
    while (reader.Next()) {
      ChildRow row;
      row.line = reader.line();
      ++result_.stats.child_rows;
      file_ = kChildrenFile;
      row_ok_ = true;
      line_ = row.line;
      if (RowShapeOk(reader, cols.data(), kChCount)) {
        ParseChild(reader.fields(), cols.data(), fold, households_given, row);
      }
      children_.push_back(row);
      if (!row.key.empty()) {
        if (const int64_t first = child_index.Insert(children_.size() - 1); first >= 0) {
          ChildIssue(
              kChKey, ValueClass::kWithheld,
              absl::StrCat("duplicate of line ", children_[static_cast<size_t>(first)].line));
        }
      }
      children_.back().ok = row_ok_;
      TREEM_RETURN_IF_ERROR(Progress());
    }
    return absl::OkStatus();
  }

  absl::Status Finish() {
    if (opt_.progress && !opt_.progress(rows_done_)) {
      return absl::CancelledError("csv import: cancelled by the progress callback");
    }
    std::stable_sort(result_.issues.begin(), result_.issues.end(),
                     [](const CsvIssue& a, const CsvIssue& b) {
                       if (a.file != b.file) return a.file == kHouseholdsFile;
                       return a.line < b.line;
                     });
    for (const auto& h : households_) result_.stats.households_imported += h.ok;
    for (const auto& c : children_) result_.stats.children_imported += c.ok;
    const bool refuse = !result_.issues.empty() && !opt_.skip_bad_rows;
    if (refuse) {
      result_.stats.households_imported = 0;
      result_.stats.children_imported = 0;
    }
    if (refuse || opt_.validate_only) return absl::OkStatus();
    return internal::CatchToStatus(absl::StatusCode::kInternal, [&] { return Build(); });
  }

 private:
  // Reads the header record into cols (-1 = absent). False (with issues) when unusable.
  bool ReadHeader(CsvReader& reader, std::string_view file, const std::vector<ColumnSpec>& specs,
                  int* cols, int count) {
    std::fill(cols, cols + count, -1);
    file_ = file;
    if (!reader.Next()) {
      if (file == kChildrenFile || file == kHouseholdsFile) {
        IssueRaw(0, "", ValueClass::kNone, "no header line");
      }
      return false;
    }
    line_ = reader.line();
    if (reader.error() != CsvReader::Syntax::kNone) {
      IssueRaw(line_, "", ValueClass::kNone, "header line: malformed quoting");
      return false;
    }
    FoldBuffer fold;
    const auto& fields = reader.fields();
    bool ok = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string_view key;
      if (!fold.Fold(fields[i], key)) continue;
      for (const auto& spec : specs) {
        bool match = key == FoldKey(spec.name);
        for (const char* alias : spec.aliases) match = match || key == FoldKey(alias);
        if (!match) continue;
        if (cols[spec.id] >= 0) {
          IssueRaw(line_, spec.name, ValueClass::kNone,
                   absl::StrCat("column appears twice (columns ", cols[spec.id] + 1, " and ", i + 1,
                                ")"));
          ok = false;
        }
        cols[spec.id] = static_cast<int>(i);
      }
    }
    header_size_by_file_[file == kChildrenFile] = fields.size();
    for (const auto& spec : specs) {
      if (spec.required && cols[spec.id] < 0) {
        IssueRaw(line_, spec.name, ValueClass::kNone, "required column is missing");
        ok = false;
      }
    }
    if (file == kHouseholdsFile && cols[kHhCommune] < 0 && opt_.commune_code.empty()) {
      IssueRaw(line_, "commune_code", ValueClass::kNone,
               "required column is missing (no default commune was given)");
      ok = false;
    }
    return ok;
  }

  absl::Status CountRemaining(CsvReader& reader, size_t& counter) {
    while (reader.Next()) {
      ++counter;
      TREEM_RETURN_IF_ERROR(Progress());
    }
    return absl::OkStatus();
  }

  bool RowShapeOk(const CsvReader& reader, const int*, int) {
    const size_t expected = header_size_by_file_[file_ == kChildrenFile];
    if (reader.error() == CsvReader::Syntax::kUnterminatedQuote) {
      IssueRaw(line_, "", ValueClass::kNone,
               "quoted field is not closed before the end of the file");
      row_ok_ = false;
      return false;
    }
    if (reader.error() == CsvReader::Syntax::kTextAfterQuote) {
      IssueRaw(line_, "", ValueClass::kNone,
               absl::StrCat("field ", reader.error_field() + 1,
                            ": text after the closing quote (write \"\" for a quote inside)"));
      row_ok_ = false;
      return false;
    }
    if (reader.fields().size() != expected) {
      IssueRaw(line_, "", ValueClass::kNone,
               absl::StrCat("expected ", expected, " fields as in the header, found ",
                            reader.fields().size()));
      row_ok_ = false;
      return false;
    }
    return true;
  }

  static std::string_view Field(const std::vector<std::string_view>& f, const int* cols, int c) {
    return cols[c] < 0 ? std::string_view() : f[cols[c]];
  }

  void IssueRaw(int line, std::string_view column, ValueClass vc, std::string reason) {
    CsvIssue issue;
    issue.file = std::string(file_);
    issue.line = line;
    issue.column = std::string(column);
    issue.value_class = vc;
    issue.reason = std::move(reason);
    result_.issues.push_back(std::move(issue));
    row_ok_ = false;
  }

  void Issue(int col, const std::vector<ColumnSpec>& specs, ValueClass vc, std::string reason) {
    IssueRaw(line_, specs[col].name, vc, std::move(reason));
  }
  void HouseholdIssue(int col, ValueClass vc, std::string reason) {
    Issue(col, HouseholdColumns(), vc, std::move(reason));
  }
  void ChildIssue(int col, ValueClass vc, std::string reason) {
    Issue(col, ChildColumns(), vc, std::move(reason));
  }

  // A bad code: quoted when echoable, else withheld.
  template <typename IssueFn>
  void BadCode(IssueFn&& issue, int col, std::string_view value, std::string_view what) {
    if (Echoable(value)) {
      issue(col, ValueClass::kCode, absl::StrCat("\"", Sv(value), "\" is not ", Sv(what)));
    } else {
      issue(col, ValueClass::kWithheld, absl::StrCat("value is not ", Sv(what)));
    }
  }

  // Key columns: required, printable, at most 64 bytes. Keys may identify a record in the
  // source system, so they are never echoed.
  template <typename IssueFn>
  void CheckKey(IssueFn&& issue, int col, std::string_view v, bool required) {
    if (v.empty()) {
      if (required) issue(col, ValueClass::kEmpty, "required value is empty");
    } else if (v.size() > 64) {
      issue(col, ValueClass::kWithheld, "longer than 64 bytes");
    } else if (HasControl(v) || v.find('|') != std::string_view::npos || !ValidUtf8(v)) {
      issue(col, ValueClass::kWithheld, "contains a control character, '|' or invalid UTF-8");
    }
  }

  template <typename IssueFn>
  void CheckText(IssueFn&& issue, int col, std::string_view v, size_t max_bytes,
                 bool allow_breaks = false) {
    if (v.size() > max_bytes) {
      issue(col, ValueClass::kWithheld, absl::StrCat("longer than ", max_bytes, " bytes"));
    } else if (!ValidUtf8(v)) {
      issue(col, ValueClass::kWithheld, "not valid UTF-8");
    } else if (HasControl(v, allow_breaks)) {
      issue(col, ValueClass::kWithheld, "contains a control character");
    }
  }

  template <typename IssueFn>
  void CheckCommune(IssueFn&& issue, int col, std::string_view v) {
    if (!CommuneCodeShape(v)) {
      if (Echoable(v)) {
        issue(col, ValueClass::kCode,
              absl::StrCat("\"", Sv(v), "\" is not a 5-digit commune code"));
      } else {
        issue(col, ValueClass::kWithheld, "value is not a 5-digit commune code");
      }
      return;
    }
    if (opt_.units != nullptr) {
      auto unit = opt_.units->Find(v, units_on_);
      if (!unit.ok() || unit->level != core::UnitLevel::kCommune) {
        issue(
            col, ValueClass::kCode,
            absl::StrCat("\"", Sv(v), "\" is not a commune on ", Sv(core::FormatDate(units_on_))));
      }
    }
  }

  void ParseHousehold(const std::vector<std::string_view>& f, const int* cols, FoldBuffer& fold,
                      HouseholdRow& row) {
    auto issue = [this](int c, ValueClass vc, std::string r) {
      HouseholdIssue(c, vc, std::move(r));
    };
    row.key = Field(f, cols, kHhKey);
    CheckKey(issue, kHhKey, row.key, true);
    row.commune = Field(f, cols, kHhCommune);
    if (row.commune.empty()) row.commune = opt_.commune_code;
    if (row.commune.empty()) {
      issue(kHhCommune, ValueClass::kEmpty,
            "required value is empty (no default commune was given)");
    } else {
      CheckCommune(issue, kHhCommune, row.commune);
    }
    row.village = Field(f, cols, kHhVillage);
    CheckText(issue, kHhVillage, row.village, 64);
    row.craft_name = Field(f, cols, kHhCraftVillageName);
    CheckText(issue, kHhCraftVillageName, row.craft_name, 200);
    row.address = Field(f, cols, kHhAddress);
    CheckText(issue, kHhAddress, row.address, 500, /*allow_breaks=*/true);

    const std::string_view status = Field(f, cols, kHhPovertyStatus);
    const std::string_view standard = Field(f, cols, kHhPovertyStandard);
    const std::string_view year = Field(f, cols, kHhPovertyYear);
    if (!status.empty()) {
      row.has_poverty = true;
      if (auto v = LookUp(PovertyStatusTable(), status, fold)) {
        row.status = *v;
      } else {
        BadCode(issue, kHhPovertyStatus, status,
                "a poverty status (poor, near_poor, average, none, unknown)");
      }
      if (year.empty()) {
        issue(kHhPovertyYear, ValueClass::kEmpty, "required when poverty_status is given");
      }
    } else if (!standard.empty() || !year.empty()) {
      issue(kHhPovertyStatus, ValueClass::kEmpty,
            "required when poverty_standard or poverty_year is given");
    }
    if (!standard.empty()) {
      if (auto v = LookUp(PovertyStandardTable(), standard, fold)) {
        row.standard = *v;
      } else {
        BadCode(issue, kHhPovertyStandard, standard,
                "a poverty standard (decision59of2015, decree07of2021, decree351of2025, "
                "provincial)");
      }
    }
    if (!year.empty()) {
      int y = 0;
      if (!Digits(year, y) || y < 2000 || y > 2100) {
        BadCode(issue, kHhPovertyYear, year, "a year between 2000 and 2100");
      } else {
        row.year = static_cast<uint16_t>(y);
      }
    }
    const std::string_view residence = Field(f, cols, kHhResidence);
    if (!residence.empty()) {
      if (auto v = LookUp(ResidenceTable(), residence, fold)) {
        row.residence = *v;
      } else {
        BadCode(issue, kHhResidence, residence, "a residence (rural, urban)");
      }
    }
    const std::string_view craft = Field(f, cols, kHhCraftVillage);
    if (auto v = ParseBool(craft, fold)) {
      row.craft = *v;
    } else {
      BadCode(issue, kHhCraftVillage, craft, "yes or no (1/0, true/false, yes/no, x, có/không)");
    }
  }

  void ParseChild(const std::vector<std::string_view>& f, const int* cols, FoldBuffer& fold,
                  bool households_given, ChildRow& row) {
    auto issue = [this](int c, ValueClass vc, std::string r) { ChildIssue(c, vc, std::move(r)); };
    row.key = Field(f, cols, kChKey);
    CheckKey(issue, kChKey, row.key, true);
    row.household_key = Field(f, cols, kChHousehold);
    CheckKey(issue, kChHousehold, row.household_key, false);
    const HouseholdRow* household = nullptr;
    if (!row.household_key.empty() && households_given) {
      const int64_t index = household_index_.Find(row.household_key);
      if (index < 0) {
        issue(kChHousehold, ValueClass::kWithheld, "no household with this key in households.csv");
      } else {
        row.household = static_cast<int>(index);
        household = &households_[static_cast<size_t>(index)];
        if (!household->ok) {
          issue(kChHousehold, ValueClass::kWithheld,
                absl::StrCat("the household on households.csv line ", household->line,
                             " was rejected"));
        }
      }
    }
    row.commune = Field(f, cols, kChCommune);
    if (row.commune.empty() && household != nullptr) row.commune = household->commune;
    if (row.commune.empty()) row.commune = opt_.commune_code;
    if (row.commune.empty()) {
      issue(kChCommune, ValueClass::kEmpty,
            "required value is empty (no household commune and no default commune)");
    } else {
      CheckCommune(issue, kChCommune, row.commune);
    }
    row.village = Field(f, cols, kChVillage);
    if (row.village.empty() && household != nullptr) row.village = household->village;
    CheckText(issue, kChVillage, row.village, 64);

    row.name = Field(f, cols, kChName);
    if (row.name.empty()) {
      issue(kChName, ValueClass::kEmpty, "required value is empty");
    } else {
      CheckText(issue, kChName, row.name, 200);
    }

    const std::string_view sex = Field(f, cols, kChSex);
    if (!sex.empty()) {
      if (auto v = LookUp(SexTable(), sex, fold)) {
        row.sex = *v;
      } else {
        BadCode(issue, kChSex, sex, "a sex code (male, female, unknown, m, f, nam, nữ)");
      }
    }

    const std::string_view birth = Field(f, cols, kChBirthDate);
    if (birth.empty()) {
      issue(kChBirthDate, ValueClass::kEmpty, "required value is empty");
    } else {
      switch (ParseDay(birth, /*allow_year_only=*/true, row.birth)) {
        case DateResult::kOk:
          if (row.birth > today_) {
            issue(kChBirthDate, ValueClass::kWithheld, "after the import date");
          }
          break;
        case DateResult::kFormat:
          issue(kChBirthDate, ValueClass::kWithheld,
                "expected a date as YYYY-MM-DD, DD/MM/YYYY or a year YYYY");
          break;
        case DateResult::kNotCalendar:
          issue(kChBirthDate, ValueClass::kWithheld,
                "not a calendar date (2023-02-29 style dates are refused)");
          break;
        case DateResult::kYearRange:
          issue(kChBirthDate, ValueClass::kWithheld, "year outside 1900-2199");
          break;
      }
    }
    const std::string_view estimated = Field(f, cols, kChBirthEstimated);
    if (auto v = ParseBool(estimated, fold)) {
      row.birth_estimated = *v || row.birth.year_only;
    } else {
      BadCode(issue, kChBirthEstimated, estimated,
              "yes or no (1/0, true/false, yes/no, x, có/không)");
    }

    const std::string_view ethnicity = Field(f, cols, kChEthnicity);
    if (!ethnicity.empty()) {
      if (auto v = LookUp(EthnicityTable(), ethnicity, fold)) {
        row.ethnicity = *v;
      } else {
        issue(kChEthnicity, ValueClass::kWithheld,
              "not a known ethnic group name (use the GSO name, e.g. Kinh, Tày, H'Mông)");
      }
    }

    row.national_id = Field(f, cols, kChNationalId);
    if (!row.national_id.empty()) {
      const bool digits12 = row.national_id.size() == 12 &&
                            std::all_of(row.national_id.begin(), row.national_id.end(),
                                        [](char c) { return c >= '0' && c <= '9'; });
      if (!digits12) issue(kChNationalId, ValueClass::kWithheld, "expected 12 digits");
    }

    const std::string_view attendance = Field(f, cols, kChSchoolStatus);
    if (!attendance.empty()) {
      if (auto v = LookUp(AttendanceTable(), attendance, fold)) {
        row.attendance = *v;
      } else {
        BadCode(issue, kChSchoolStatus, attendance,
                "a school status (enrolled, irregular, dropped_out, never_enrolled, completed)");
      }
    }
    const std::string_view grade = Field(f, cols, kChGrade);
    if (!grade.empty()) {
      int g = 0;
      if (!Digits(grade, g) || g > 12) {
        BadCode(issue, kChGrade, grade, "a grade 0..12");
      } else {
        row.grade = static_cast<uint8_t>(g);
      }
    }
    const std::string_view level = Field(f, cols, kChSchoolLevel);
    if (!level.empty()) {
      if (auto v = LookUp(LevelTable(), level, fold)) {
        row.level = *v;
      } else {
        BadCode(issue, kChSchoolLevel, level,
                "a school level (preschool, primary, lower_secondary, upper_secondary, "
                "vocational, continuing_education)");
      }
    }
    const std::string_view dropped = Field(f, cols, kChDroppedOutOn);
    if (!dropped.empty()) {
      if (row.attendance != s::SchoolAttendance::DROPPED_OUT) {
        issue(kChDroppedOutOn, ValueClass::kWithheld, "given but school_status is not dropped_out");
      }
      switch (ParseDay(dropped, /*allow_year_only=*/false, row.dropped_out)) {
        case DateResult::kOk:
          row.has_dropped_out = true;
          if (row.dropped_out > today_) {
            issue(kChDroppedOutOn, ValueClass::kWithheld, "after the import date");
          } else if (row.birth.y != 0 && !(row.dropped_out > row.birth)) {
            issue(kChDroppedOutOn, ValueClass::kWithheld, "not after the birth date");
          }
          break;
        case DateResult::kFormat:
          issue(kChDroppedOutOn, ValueClass::kWithheld,
                "expected a date as YYYY-MM-DD or DD/MM/YYYY");
          break;
        case DateResult::kNotCalendar:
          issue(kChDroppedOutOn, ValueClass::kWithheld, "not a calendar date");
          break;
        case DateResult::kYearRange:
          issue(kChDroppedOutOn, ValueClass::kWithheld, "year outside 1900-2199");
          break;
      }
    }
    const std::string_view disability = Field(f, cols, kChDisability);
    if (!disability.empty()) {
      if (auto v = LookUp(DisabilityTable(), disability, fold)) {
        row.disability = *v;
      } else {
        issue(kChDisability, ValueClass::kWithheld,
              "not a disability level (none, mild, severe, especially_severe)");
      }
    }
    row.special_groups = Field(f, cols, kChSpecialGroups);
    if (!row.special_groups.empty()) {
      const int bad = ForEachGroup(row.special_groups, fold, [](s::SpecialGroup, int) {});
      if (bad != 0) {
        issue(kChSpecialGroups, ValueClass::kWithheld,
              absl::StrCat("item ", bad,
                           " is not a Law on Children Art 10 group a..o with an optional "
                           "Decree 56 sub-type (e.g. k.1)"));
      }
    }
    const std::string_view relationship = Field(f, cols, kChRelationship);
    if (!relationship.empty()) {
      if (row.household_key.empty()) {
        issue(kChRelationship, ValueClass::kWithheld, "given but household_key is empty");
      }
      if (auto v = LookUp(RelationshipTable(), relationship, fold)) {
        row.relationship = *v;
      } else {
        BadCode(issue, kChRelationship, relationship,
                "a relationship to the head of household (head, spouse, child, grandchild, ...)");
      }
    }
    const std::pair<int, bool*> flags[] = {{kChMigrant, &row.migrant},
                                           {kChLeftBehind, &row.left_behind},
                                           {kChWithoutParents, &row.without_parents}};
    for (const auto& [col, out] : flags) {
      const std::string_view v = Field(f, cols, col);
      if (auto b = ParseBool(v, fold)) {
        *out = *b;
      } else {
        BadCode(issue, col, v, "yes or no (1/0, true/false, yes/no, x, có/không)");
      }
    }
  }

  absl::Status Progress() {
    ++rows_done_;
    if (opt_.progress && opt_.progress_every > 0 && rows_done_ % opt_.progress_every == 0 &&
        !opt_.progress(rows_done_)) {
      return absl::CancelledError("csv import: cancelled by the progress callback");
    }
    return absl::OkStatus();
  }

  // ---- building ----

  void Envelope(s::Command::Builder cmd) {
    auto actor = cmd.initActor();
    actor.setUserId(opt_.actor_user_id.c_str());
    actor.setRole(opt_.actor_role);
    actor.setUnitCode(opt_.actor_unit_code.c_str());
    cmd.initAt().setMicros(opt_.at_micros);
    cmd.setSource(s::DataSource::CSV_IMPORT);
  }

  // Copies a view (not NUL-terminated: it points into the CSV text) into a Text field through
  // its init function; empty values leave the field unset.
  template <typename InitFn>
  static void PutText(std::string_view v, InitFn&& init) {
    if (v.empty()) return;
    auto t = init(static_cast<unsigned>(v.size()));
    std::memcpy(t.begin(), v.data(), v.size());
  }

  static void SetUuid(s::Uuid::Builder b, const core::Uuid& id) {
    b.setHi(id.hi);
    b.setLo(id.lo);
  }

  // ---- command ids ----
  //
  // commandId = NameUuid("csv/command2|<kind>|" + the command's normalised values), encoded
  // without ambiguity: fixed-width little-endian numbers, record ids as their 16 bytes, texts
  // with a length prefix, optional values with a presence byte. Every value of the payload
  // takes part, the envelope (actor, time) and the row's line do not: the same row content
  // gives the same command id on every import (a repeat for the store) and a corrected row a
  // new one. The "csv/command2|" name space keeps these ids apart from the former ones (SHA-1
  // of the canonical payload under "csv/command|").
  class IdBytes {
   public:
    IdBytes() { buf_.reserve(2048); }
    void Begin(std::string_view prefix) { buf_.assign(prefix.data(), prefix.size()); }
    void U8(unsigned v) { buf_.push_back(static_cast<char>(v & 0xFF)); }
    void U16(unsigned v) {
      U8(v);
      U8(v >> 8);
    }
    void Bool(bool v) { U8(v ? 1 : 0); }
    void Id(const core::Uuid& id) {
      char b[16];
      for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<char>(id.hi >> (56 - 8 * i));
        b[8 + i] = static_cast<char>(id.lo >> (56 - 8 * i));
      }
      buf_.append(b, 16);
    }
    void Date(const YMD& d) {
      U16(static_cast<unsigned>(d.y));
      U8(static_cast<unsigned>(d.m));
      U8(static_cast<unsigned>(d.d));
    }
    // Length (LEB128) and bytes.
    void Text(std::string_view v) {
      size_t n = v.size();
      while (n >= 0x80) {
        U8(static_cast<unsigned>(n | 0x80));
        n >>= 7;
      }
      U8(static_cast<unsigned>(n));
      buf_.append(v.data(), v.size());
    }
    core::Uuid Finish() const { return core::NameUuid(buf_); }

   private:
    std::string buf_;
  };

  static void Encode(IdBytes& b, const core::Uuid& id, const HouseholdRow& h) {
    b.Begin("csv/command2|upsertHousehold|");
    b.Id(id);
    b.Text(h.commune);
    b.Text(h.village);
    b.Bool(h.has_poverty);
    if (h.has_poverty) {
      b.U16(static_cast<unsigned>(h.status));
      b.U16(static_cast<unsigned>(h.standard));
      b.U16(h.year);
    }
    b.Bool(h.craft);
    b.Text(h.craft_name);
    b.U16(static_cast<unsigned>(h.residence));
    b.Text(h.address);
  }

  // The person command's values but the special circumstances (their count and items follow).
  static void EncodePerson(IdBytes& b, const core::Uuid& id, const core::Uuid& household_id,
                           const ChildRow& c) {
    b.Begin("csv/command2|upsertPerson|");
    b.Id(id);
    b.Text(c.name);
    b.U16(static_cast<unsigned>(c.sex));
    b.Date(c.birth);
    b.Bool(c.birth_estimated);
    b.U16(static_cast<unsigned>(c.ethnicity));
    b.Text(c.national_id);
    b.Bool(!household_id.is_nil());
    if (!household_id.is_nil()) b.Id(household_id);
    b.U16(static_cast<unsigned>(c.attendance));
    b.U8(c.grade);
    b.U16(static_cast<unsigned>(c.level));
    b.Bool(c.has_dropped_out);
    if (c.has_dropped_out) b.Date(c.dropped_out);
    b.U16(static_cast<unsigned>(c.disability));
    b.Text(c.commune);
    b.Text(c.village);
    b.Bool(c.migrant);
    b.Bool(c.left_behind);
    b.Bool(c.without_parents);
  }

  static core::Uuid LinkCommandId(IdBytes& b, const core::Uuid& household_id,
                                  const core::Uuid& person_id, s::Relationship relationship) {
    b.Begin("csv/command2|linkHouseholdMember|");
    b.Id(household_id);
    b.Id(person_id);
    b.U16(static_cast<unsigned>(relationship));
    return b.Finish();
  }

  absl::Status Build() {
    size_t count = 0;
    size_t text_bytes = 0;
    for (const auto& h : households_) {
      if (!h.ok) continue;
      ++count;
      text_bytes += h.commune.size() + h.village.size() + h.craft_name.size() + h.address.size();
    }
    for (const auto& c : children_) {
      if (!c.ok) continue;
      count += c.household_key.empty() ? 1 : 2;
      text_bytes += c.name.size() + c.national_id.size() + c.commune.size() + c.village.size() +
                    c.special_groups.size() * sizeof(capnp::word) *
                        StructWords<s::SpecialCircumstance>();  // >= 1 byte an item
    }
    // An upper bound of the batch size: one segment, no regrowth (only the pages written are
    // ever touched).
    const size_t envelope_text =
        (opt_.actor_user_id.size() + opt_.actor_unit_code.size()) / sizeof(capnp::word);
    result_.message = std::make_unique<ImportMessageBuilder>(
        8 + count * (CommandWords() + envelope_text) + text_bytes / sizeof(capnp::word));
    auto batch = result_.message->initRoot<s::CommandBatch>();
    auto cmds = batch.initCommands(static_cast<unsigned>(count));
    unsigned next = 0;
    FoldBuffer fold;
    IdBytes bytes;
    // Household ids once per household (children reuse them).
    std::vector<core::Uuid> household_ids(households_.size());
    for (size_t i = 0; i < households_.size(); ++i)
      household_ids[i] = HouseholdIdFor(households_[i].commune, households_[i].key);
    for (size_t hi = 0; hi < households_.size(); ++hi) {
      const auto& h = households_[hi];
      if (!h.ok) continue;
      auto cmd = cmds[next++];
      Envelope(cmd);
      auto hh = cmd.initPayload().initUpsertHousehold();
      SetUuid(hh.initId(), household_ids[hi]);
      PutText(h.commune, [&](unsigned n) { return hh.initCommuneCode(n); });
      PutText(h.village, [&](unsigned n) { return hh.initVillageCode(n); });
      if (h.has_poverty) {
        auto p = hh.initPoverty(1)[0];
        p.setStatus(h.status);
        p.setStandard(h.standard);
        p.setYear(h.year);
        p.setResidence(h.residence);
      }
      hh.setCraftVillage(h.craft);
      PutText(h.craft_name, [&](unsigned n) { return hh.initCraftVillageName(n); });
      hh.setResidence(h.residence);
      PutText(h.address, [&](unsigned n) { return hh.initAddress(n); });
      Encode(bytes, household_ids[hi], h);
      SetUuid(cmd.initCommandId(), bytes.Finish());
    }
    for (const auto& c : children_) {
      if (!c.ok) continue;
      const core::Uuid person_id = PersonIdFor(c.commune, c.key);
      core::Uuid household_id;
      if (!c.household_key.empty()) {
        household_id = c.household >= 0 ? household_ids[static_cast<size_t>(c.household)]
                                        : HouseholdIdFor(c.commune, c.household_key);
      }
      EncodePerson(bytes, person_id, household_id, c);
      auto cmd = cmds[next++];
      Envelope(cmd);
      auto p = cmd.initPayload().initUpsertPerson();
      SetUuid(p.initId(), person_id);
      PutText(c.name, [&](unsigned n) { return p.initFullName(n); });
      p.setSex(c.sex);
      auto bd = p.initBirthDate();
      SetDate(bd.initDate(), c.birth);
      bd.setEstimated(c.birth_estimated);
      p.setEthnicity(c.ethnicity);
      PutText(c.national_id, [&](unsigned n) { return p.initNationalId(n); });
      if (!household_id.is_nil()) SetUuid(p.initHouseholdId(), household_id);
      auto school = p.initSchool();
      school.setAttendance(c.attendance);
      school.setGrade(c.grade);
      school.setLevel(c.level);
      if (c.has_dropped_out) SetDate(school.initDroppedOutOn(), c.dropped_out);
      p.setDisability(c.disability);
      if (!c.special_groups.empty()) {
        int n = 0;
        ForEachGroup(c.special_groups, fold, [&](s::SpecialGroup, int) { ++n; });
        auto list = p.initSpecialCircumstances(static_cast<unsigned>(n));
        bytes.U16(static_cast<unsigned>(n));
        unsigned i = 0;
        ForEachGroup(c.special_groups, fold, [&](s::SpecialGroup g, int sub) {
          list[i].setGroup(g);
          list[i].setSubType(static_cast<uint8_t>(sub));
          bytes.U16(static_cast<unsigned>(g));
          bytes.U8(static_cast<unsigned>(sub));
          ++i;
        });
      } else {
        bytes.U16(0);
      }
      PutText(c.commune, [&](unsigned n) { return p.initCommuneCode(n); });
      PutText(c.village, [&](unsigned n) { return p.initVillageCode(n); });
      p.setMigrant(c.migrant);
      p.setLeftBehind(c.left_behind);
      p.setLivesWithoutParents(c.without_parents);
      SetUuid(cmd.initCommandId(), bytes.Finish());

      if (c.household_key.empty()) continue;
      auto link_cmd = cmds[next++];
      Envelope(link_cmd);
      auto link = link_cmd.initPayload().initLinkHouseholdMember();
      SetUuid(link.initHouseholdId(), household_id);
      auto member = link.initMember();
      SetUuid(member.initPersonId(), person_id);
      member.setRelationship(c.relationship);
      SetUuid(link_cmd.initCommandId(),
              LinkCommandId(bytes, household_id, person_id, c.relationship));
    }
    return absl::OkStatus();
  }

  const CsvImportOptions& opt_;
  CsvImportResult& result_;
  YMD today_;
  core::Date units_on_;
  std::vector<HouseholdRow> households_;
  std::vector<ChildRow> children_;
  KeyIndex<HouseholdRow> household_index_{&households_};
  std::deque<std::string> unescaped_;  // fields with "" escapes, unescaped
  std::string_view file_;
  int line_ = 0;
  bool row_ok_ = true;
  size_t header_size_by_file_[2] = {0, 0};
  size_t rows_done_ = 0;
};

}  // namespace

std::string CsvIssue::ToString() const {
  std::string out = file;
  if (line > 0) absl::StrAppend(&out, ": line ", line);
  if (!column.empty()) absl::StrAppend(&out, line > 0 ? ", column " : ": column ", column);
  absl::StrAppend(&out, ": ", reason);
  return out;
}

schema::CommandBatch::Reader CsvImportResult::commands() const {
  if (message == nullptr) return schema::CommandBatch::Reader();
  return const_cast<capnp::MallocMessageBuilder&>(*message)
      .getRoot<schema::CommandBatch>()
      .asReader();
}

std::string CsvImportResult::Report() const {
  std::string out;
  for (const auto& i : issues) absl::StrAppend(&out, i.ToString(), "\n");
  return out;
}

void CsvImportResult::ToReport(schema::CsvImportReport::Builder out) const {
  out.setCommands(commands());
  auto list = out.initIssues(static_cast<unsigned>(issues.size()));
  for (size_t k = 0; k < issues.size(); ++k) {
    auto b = list[static_cast<unsigned>(k)];
    b.setFile(issues[k].file);
    b.setLine(static_cast<uint32_t>(issues[k].line));
    b.setColumn(issues[k].column);
    b.setReason(issues[k].reason);
    b.setMessage(issues[k].ToString());
  }
  out.setHouseholdRows(static_cast<uint32_t>(stats.household_rows));
  out.setChildRows(static_cast<uint32_t>(stats.child_rows));
  out.setHouseholdsImported(static_cast<uint32_t>(stats.households_imported));
  out.setChildrenImported(static_cast<uint32_t>(stats.children_imported));
}

core::Uuid HouseholdIdFor(std::string_view commune_code, std::string_view household_key) {
  return KeyId("csv/household|", commune_code, household_key);
}

core::Uuid PersonIdFor(std::string_view commune_code, std::string_view child_key) {
  return KeyId("csv/person|", commune_code, child_key);
}

absl::StatusOr<CsvImportResult> ImportSurveyCsv(std::string_view households_csv,
                                                std::string_view children_csv,
                                                const CsvImportOptions& options) {
  if (!options.commune_code.empty() && !CommuneCodeShape(options.commune_code)) {
    return absl::InvalidArgumentError("commune_code: expected 5 digits");
  }
  if (households_csv.empty() && children_csv.empty()) {
    return absl::InvalidArgumentError("csv import: both files are empty");
  }
  CsvImportResult result;
  Importer importer(options, result);
  const bool households_given = !households_csv.empty();
  if (households_given) TREEM_RETURN_IF_ERROR(importer.ReadHouseholds(households_csv));
  if (!children_csv.empty()) {
    TREEM_RETURN_IF_ERROR(importer.ReadChildren(children_csv, households_given));
  }
  TREEM_RETURN_IF_ERROR(importer.Finish());
  if (result.message == nullptr) {
    result.message = std::make_unique<capnp::MallocMessageBuilder>(16);
    result.message->initRoot<schema::CommandBatch>();
  }
  return result;
}

}  // namespace treem::exchange
