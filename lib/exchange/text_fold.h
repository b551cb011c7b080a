// Case and separator folding of short UTF-8 texts (CSV header names and code values), so that
// "Họ và tên", "HỌ VÀ TÊN" and "họ_và_tên" compare equal. Internal to lib/exchange.
//
// Folding lower-cases ASCII and the precomposed Latin letters Vietnamese uses (Latin-1,
// Latin Extended-A, Ơ/Ư and the Latin Extended Additional block U+1EA0..U+1EF9), and drops the
// separators space, tab, '_', '-', '\'', U+2019, '/' and ',' (unless keep_separators). Text must
// be NFC (the form spreadsheets write); decomposed text does not fold to the same key.
#ifndef TREEM_LIB_EXCHANGE_TEXT_FOLD_H_
#define TREEM_LIB_EXCHANGE_TEXT_FOLD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "capnp/blob.h"
#include "capnp/common.h"

namespace treem::exchange {

// Folds without heap allocation into a fixed buffer; the returned view is valid until the next
// call. Fails (false) for texts whose folded form exceeds the buffer (they are no code).
class FoldBuffer {
 public:
  static constexpr size_t kCapacity = 128;
  bool Fold(std::string_view in, std::string_view& out, bool keep_separators = false);

 private:
  char buf_[kCapacity];
};

// The folded key as a string (for building tables); texts too long to fold give "".
std::string FoldKey(std::string_view in);

inline std::string_view TextOf(capnp::Text::Reader t) {
  return std::string_view(t.begin(), t.size());
}

}  // namespace treem::exchange

#endif  // TREEM_LIB_EXCHANGE_TEXT_FOLD_H_
