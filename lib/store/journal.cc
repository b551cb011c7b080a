#include "store/journal.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "internal/status_macros.h"
#include "store/coding.h"
#include "store/crc32c.h"

namespace treem::store {
namespace {

using internal::Get32;
using internal::Get64;
using internal::Put32;
using internal::Put64;

constexpr char kSegmentMagic[8] = {'T', 'R', 'E', 'E', 'M', 'J', 'N', 'L'};
constexpr uint64_t kChunk = 256 * 1024;

uint32_t HeaderCrc(const uint8_t* p) {
  uint8_t copy[kSegmentHeaderSize];
  std::memcpy(copy, p, kSegmentHeaderSize);
  Put32(copy + 12, 0);
  return Crc32c(copy, kSegmentHeaderSize);
}

}  // namespace

void EncodeSegmentHeader(uint64_t first_seq, uint8_t out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, kSegmentMagic, 8);
  Put32(out + 8, kJournalFormatVersion);
  Put64(out + 16, first_seq);
  Put32(out + 12, HeaderCrc(out));
}

absl::StatusOr<uint64_t> DecodeSegmentHeader(const uint8_t* p, size_t n) {
  if (n < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("segment header: incomplete (", n, " of ", kSegmentHeaderSize, " bytes)"));
  }
  if (std::memcmp(p, kSegmentMagic, 8) != 0) {
    return absl::DataLossError("segment header: bad magic (not a treem journal segment)");
  }
  const uint32_t stored = Get32(p + 12);
  const uint32_t computed = HeaderCrc(p);
  if (stored != computed) {
    return absl::DataLossError(absl::StrFormat(
        "segment header: crc mismatch (stored 0x%08x, computed 0x%08x)", stored, computed));
  }
  const uint32_t version = Get32(p + 8);
  if (version != kJournalFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("segment header: format version ", version, " is not supported (this ",
                     "library reads version ", kJournalFormatVersion, ")"));
  }
  const uint64_t first_seq = Get64(p + 16);
  if (first_seq == 0) return absl::DataLossError("segment header: first seq is 0");
  return first_seq;
}

void EncodeFrameHeader(uint64_t seq, uint64_t synced_seq, std::span<const uint8_t> payload,
                       uint8_t out[kFrameHeaderSize]) {
  Put32(out + 4, static_cast<uint32_t>(payload.size()));
  Put64(out + 8, seq);
  Put64(out + 16, synced_seq);
  const uint32_t crc =
      Crc32cExtend(Crc32c(out + 4, kFrameHeaderSize - 4), payload.data(), payload.size());
  Put32(out, crc);
}

std::string SegmentFileName(uint64_t ordinal) {
  return absl::StrFormat("journal-%06u.tlog", ordinal);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "journal-";
  constexpr std::string_view kSuffix = ".tlog";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 19 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t v = 0;
  if (!absl::SimpleAtoi(::treem::internal::Sv(digits), &v) || v == 0) return std::nullopt;
  return v;
}

FrameReader::FrameReader(Fs& fs, int fd, uint64_t begin, uint64_t end, uint32_t max_payload)
    : fs_(fs), fd_(fd), pos_(begin), end_(end), max_payload_(max_payload) {}

absl::StatusOr<const uint8_t*> FrameReader::Fetch(uint64_t off, uint64_t n) {
  if (off > end_ || n > end_ - off) return nullptr;
  if (off >= buf_off_ && off + n <= buf_off_ + buf_len_) {
    return reinterpret_cast<const uint8_t*>(buf_.data()) + (off - buf_off_);
  }
  const uint64_t want = std::min(std::max(kChunk, n), end_ - off);
  if (buf_.size() * 8 < want) buf_.resize((want + 7) / 8);
  TREEM_ASSIGN_OR_RETURN(const size_t got, fs_.Read(fd_, off, buf_.data(), want));
  buf_off_ = off;
  buf_len_ = got;
  if (got < n) {
    return absl::DataLossError(absl::StrCat("short read at offset ", off, ": ", got, " of ", n,
                                            " bytes (the file shrank while being read)"));
  }
  return reinterpret_cast<const uint8_t*>(buf_.data());
}

absl::StatusOr<bool> FrameReader::CheckFrame(uint64_t off, Frame* frame, std::string* reason) {
  if (end_ - off < kFrameHeaderSize) {
    *reason = absl::StrCat("incomplete frame header (", end_ - off, " bytes before end of file)");
    return false;
  }
  TREEM_ASSIGN_OR_RETURN(const uint8_t* h, Fetch(off, kFrameHeaderSize));
  const uint32_t stored = Get32(h);
  const uint32_t len = Get32(h + 4);
  const uint64_t seq = Get64(h + 8);
  if (len > max_payload_) {
    *reason = absl::StrCat("frame length ", len, " exceeds the limit ", max_payload_);
    return false;
  }
  if (FrameSize(len) > end_ - off) {
    *reason = absl::StrCat("frame length ", len, " runs past the end of the file (", end_ - off,
                           " bytes left)");
    return false;
  }
  const uint64_t frame_size = FrameSize(len);
  TREEM_ASSIGN_OR_RETURN(const uint8_t* p, Fetch(off, frame_size));
  const uint32_t computed = Crc32c(p + 4, kFrameHeaderSize - 4 + len);
  if (computed != stored) {
    *reason = absl::StrFormat("crc mismatch (stored 0x%08x, computed 0x%08x)", stored, computed);
    return false;
  }
  for (uint64_t i = kFrameHeaderSize + len; i < frame_size; ++i) {
    if (p[i] != 0) {
      *reason = absl::StrCat("nonzero padding byte at frame offset ", i);
      return false;
    }
  }
  frame->seq = seq;
  frame->synced_seq = Get64(h + 16);
  frame->offset = off;
  frame->payload = std::span<const uint8_t>(p + kFrameHeaderSize, len);
  return true;
}

absl::StatusOr<FrameReader::Result> FrameReader::Next(Frame* frame, std::string* reason) {
  if (pos_ == end_) return Result::kEnd;
  TREEM_ASSIGN_OR_RETURN(const bool ok, CheckFrame(pos_, frame, reason));
  if (!ok) return Result::kBad;
  pos_ += FrameSize(frame->payload.size());
  return Result::kFrame;
}

absl::StatusOr<std::optional<FrameReader::Survivors>> FrameReader::FindValidFramesAfter(
    uint64_t after, uint64_t min_seq) {
  // Any frame written after `after` carries a seq of at least min_seq and at most one more
  // than the number of frames that fit in the file.
  const uint64_t max_seq = min_seq + end_ / kFrameHeaderSize + 1;
  std::string reason;
  Frame frame;
  std::optional<Survivors> found;
  uint64_t off = (after + 8) & ~uint64_t{7};
  while (off + kFrameHeaderSize <= end_) {
    TREEM_ASSIGN_OR_RETURN(const uint8_t* h, Fetch(off, kFrameHeaderSize));
    const uint32_t len = Get32(h + 4);
    const uint64_t seq = Get64(h + 8);
    if (len > max_payload_ || FrameSize(len) > end_ - off || seq < min_seq || seq > max_seq) {
      off += 8;
      continue;
    }
    TREEM_ASSIGN_OR_RETURN(const bool ok, CheckFrame(off, &frame, &reason));
    if (!ok) {
      off += 8;
      continue;
    }
    if (!found.has_value()) found = Survivors{off, 0};
    found->max_synced_seq = std::max(found->max_synced_seq, frame.synced_seq);
    off += FrameSize(len);
  }
  return found;
}

}  // namespace treem::store
