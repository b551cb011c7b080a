// Helpers shared by the process-crash tests (tests/crash/*_test.cc): the number of rounds and
// the seed, which TREEM_CRASH_ROUNDS and TREEM_CRASH_SEED override.
#ifndef TREEM_TESTS_CRASH_CRASH_UTIL_H_
#define TREEM_TESTS_CRASH_CRASH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace treem::test_util {

// The value of the environment variable `name`, or `fallback` when it is not set.
inline uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

// TREEM_CRASH_ROUNDS, else 200.
inline uint64_t CrashRounds() { return EnvOr("TREEM_CRASH_ROUNDS", 200); }

// TREEM_CRASH_SEED, else one from the clock.
inline uint64_t CrashSeed() {
  return EnvOr("TREEM_CRASH_SEED",
               static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
}

}  // namespace treem::test_util

#endif  // TREEM_TESTS_CRASH_CRASH_UTIL_H_
