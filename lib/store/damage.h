// A place where the store's files are not what the store wrote.
#ifndef TREEM_LIB_STORE_DAMAGE_H_
#define TREEM_LIB_STORE_DAMAGE_H_

#include <cstdint>
#include <string>

namespace treem::store {

struct Damage {
  std::string file;  // name within the store directory
  uint64_t offset = 0;
  std::string reason;
};

}  // namespace treem::store

#endif  // TREEM_LIB_STORE_DAMAGE_H_
