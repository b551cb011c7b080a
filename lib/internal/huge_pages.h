// Transparent huge pages for large buffers filled right after allocation (indicator columns,
// report scratch buffers). In a VM a 4 KiB page fault is expensive (~17 us measured on the
// project's machines), so a 1 GB column costs seconds of faults in 4 KiB pages and a few
// milliseconds in 2 MiB pages. With THP set to "madvise" (Debian's default) only advised
// ranges get huge pages. Advice must come before the first touch of the range.
#ifndef TREEM_LIB_INTERNAL_HUGE_PAGES_H_
#define TREEM_LIB_INTERNAL_HUGE_PAGES_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace treem::internal {

// Advises huge pages for the 2 MiB-aligned interior of [p, p + bytes) when it spans at least
// 8 MiB (smaller buffers are not worth a huge page). Advice only: errors are ignored.
inline void AdviseHugePages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 4 * kHuge) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// v.reserve(n), advising huge pages for a new block (elements already in `v` are moved into
// it first, so a vector filled later should be reserved while empty).
template <typename T>
void ReserveAdvised(std::vector<T>& v, size_t n) {
  if (v.capacity() >= n) return;
  v.reserve(n);
  AdviseHugePages(v.data(), n * sizeof(T));
}

// v.assign(n, value), advising huge pages first when the vector has to grow.
template <typename T>
void AssignAdvised(std::vector<T>& v, size_t n, const T& value) {
  if (v.capacity() < n) {
    std::vector<T>().swap(v);  // nothing to keep: reserve an empty vector
    ReserveAdvised(v, n);
  }
  v.assign(n, value);
}

}  // namespace treem::internal

#endif  // TREEM_LIB_INTERNAL_HUGE_PAGES_H_
