// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by iSCSI, ext4,
// LevelDB and RocksDB. Abseil 20220623 has none, so the store ships its own: SSE4.2 `crc32`
// instructions when the CPU has them (checked once at run time), slicing-by-8 otherwise.
#ifndef TREEM_LIB_STORE_CRC32C_H_
#define TREEM_LIB_STORE_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace treem::store {

// Returns the CRC32C of data[0, n) appended to the bytes whose CRC32C is `crc`, so that
// Crc32cExtend(Crc32c(a), b) == Crc32c(a ++ b). Crc32c("123456789") == 0xE3069283.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }

namespace internal {
// Both implementations, exposed so tests can check that they agree.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n);
// Requires Crc32cHardwareAvailable().
uint32_t Crc32cHardware(uint32_t crc, const void* data, size_t n);
bool Crc32cHardwareAvailable();
}  // namespace internal

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_CRC32C_H_
