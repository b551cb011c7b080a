// Journal segment format and a sequential frame reader (schema-agnostic: payloads are bytes).
//
// A journal is a series of segment files `journal-<ordinal>.tlog` (ordinal zero-padded to at
// least 6 digits, increasing). Each segment is:
//
//   header (32 bytes): magic "TREEMJNL" | u32 format version (1) | u32 header CRC32C
//                      (of the 32 bytes with this field zeroed) | u64 first_seq | u64 zero
//   frames, each 8-byte aligned:
//                      u32 CRC32C of bytes [4, 24 + length) | u32 length | u64 seq |
//                      u64 synced_seq | payload[length] | zero padding to a multiple of 8
//
// synced_seq is the writer's durable seq when the frame was written: every frame up to it had
// been fsynced. Recovery uses it to tell a torn tail (unsynced frames garbled or reordered by
// a power loss) from damage to frames known to have been durable.
//
// All integers are little-endian. Sequence numbers start at 1 and increase by one from frame
// to frame and across segments. Payloads start 8-byte aligned in the file, so a Cap'n Proto
// message read into an aligned buffer needs no copy.
#ifndef TREEM_LIB_STORE_JOURNAL_H_
#define TREEM_LIB_STORE_JOURNAL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/fs.h"

namespace treem::store {

inline constexpr uint64_t kSegmentHeaderSize = 32;
inline constexpr uint64_t kFrameHeaderSize = 24;
inline constexpr uint32_t kJournalFormatVersion = 1;

constexpr uint64_t FrameSize(uint64_t payload_size) {
  return kFrameHeaderSize + ((payload_size + 7) & ~uint64_t{7});
}

void EncodeSegmentHeader(uint64_t first_seq, uint8_t out[kSegmentHeaderSize]);
// Returns first_seq. kDataLoss for a damaged header (reason only; the caller adds the file),
// kFailedPrecondition for a format version newer than this library reads.
absl::StatusOr<uint64_t> DecodeSegmentHeader(const uint8_t* p, size_t n);

// Fills the frame header for `payload`.
void EncodeFrameHeader(uint64_t seq, uint64_t synced_seq, std::span<const uint8_t> payload,
                       uint8_t out[kFrameHeaderSize]);

std::string SegmentFileName(uint64_t ordinal);
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

struct Frame {
  uint64_t seq = 0;
  uint64_t synced_seq = 0;
  uint64_t offset = 0;               // of the frame header in the file
  std::span<const uint8_t> payload;  // 8-byte aligned; valid until the next call
};

// Reads frames of one segment sequentially from `begin` up to `end` (exclusive) with large
// buffered preads. Checks framing and CRC, not sequence continuity (the caller does).
class FrameReader {
 public:
  enum class Result { kFrame, kEnd, kBad };

  FrameReader(Fs& fs, int fd, uint64_t begin, uint64_t end, uint32_t max_payload);

  // kFrame: *frame is set and the reader moves past it. kEnd: clean end at `end`.
  // kBad: the bytes at offset() are not a valid frame; *reason says why. I/O errors are
  // returned as a status.
  absl::StatusOr<Result> Next(Frame* frame, std::string* reason);

  // Offset of the next frame to read (after kBad: of the bad frame).
  uint64_t offset() const { return pos_; }

  struct Survivors {
    uint64_t first_offset = 0;    // of the first valid frame found
    uint64_t max_synced_seq = 0;  // largest synced_seq among the valid frames found
  };
  // Looks for valid frames with seq >= min_seq at 8-aligned offsets in (after, end).
  // Returns nullopt if there is none.
  absl::StatusOr<std::optional<Survivors>> FindValidFramesAfter(uint64_t after, uint64_t min_seq);

 private:
  // Makes bytes [off, off + n) available in the buffer; returns a pointer or null when they
  // lie (partly) beyond `end`.
  absl::StatusOr<const uint8_t*> Fetch(uint64_t off, uint64_t n);
  // Checks the frame at `off`; on success sets *frame.
  absl::StatusOr<bool> CheckFrame(uint64_t off, Frame* frame, std::string* reason);

  Fs& fs_;
  int fd_;
  uint64_t pos_;
  uint64_t end_;
  uint32_t max_payload_;
  std::vector<uint64_t> buf_;  // uint64_t for 8-byte alignment
  uint64_t buf_off_ = 0;       // file offset of buf_[0]
  uint64_t buf_len_ = 0;       // valid bytes in buf_
};

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_JOURNAL_H_
