// One column of a Dataset: either owned (a std::vector, as BuildDataset fills it) or a
// read-only view into memory kept alive by a shared handle (a column file mapped with mmap:
// indicators::ReadColumns). Reports only read columns, so a register opened on a column file
// never copies them: the kernel's page cache is the column, and pages a report does not read
// (record ids, say) are never touched. Writing to a view copies it into owned memory first
// (copy on write), so code that edits a Dataset needs no care.
//
// The interface is the part of std::vector the library uses; reads go through one pointer
// and size whichever the storage, so scans cost the same on both.
#ifndef TREEM_LIB_INDICATORS_COLUMN_H_
#define TREEM_LIB_INDICATORS_COLUMN_H_

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace treem::indicators {

template <typename T>
class Column {
  static_assert(std::is_trivially_copyable_v<T>, "columns hold plain values");

 public:
  using value_type = T;
  using size_type = size_t;
  using iterator = T*;
  using const_iterator = const T*;

  Column() = default;
  Column(std::initializer_list<T> values) : own_(values) { Sync(); }
  Column(const Column& o) : own_(o.own_), keep_(o.keep_) { CopyPointers(o); }
  Column(Column&& o) noexcept : own_(std::move(o.own_)), keep_(std::move(o.keep_)) {
    CopyPointers(o);
    o.Reset();
  }
  Column& operator=(const Column& o) {
    if (this != &o) {
      own_ = o.own_;
      keep_ = o.keep_;
      CopyPointers(o);
    }
    return *this;
  }
  Column& operator=(Column&& o) noexcept {
    if (this != &o) {
      own_ = std::move(o.own_);
      keep_ = std::move(o.keep_);
      CopyPointers(o);
      o.Reset();
    }
    return *this;
  }
  Column& operator=(std::initializer_list<T> values) {
    keep_.reset();
    own_ = values;
    Sync();
    return *this;
  }

  // A view of n values at p, kept valid by `keep` (shared by copies of the column).
  static Column View(std::shared_ptr<const void> keep, const T* p, size_t n) {
    Column c;
    c.keep_ = std::move(keep);
    c.data_ = p;
    c.size_ = n;
    return c;
  }
  bool is_view() const { return keep_ != nullptr; }

  // ---- reading ----
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& back() const { return data_[size_ - 1]; }

  // ---- writing (a view is copied into owned memory first) ----
  T* data() { return Own().data(); }
  T& operator[](size_t i) { return Own()[i]; }
  T* begin() { return Own().data(); }
  T* end() { return Own().data() + size_; }
  T& back() { return Own().back(); }
  void push_back(const T& v) {
    Own().push_back(v);
    Sync();
  }
  template <typename... A>
  T& emplace_back(A&&... a) {
    T& r = Own().emplace_back(std::forward<A>(a)...);
    Sync();
    return r;
  }
  void pop_back() {
    Own().pop_back();
    Sync();
  }
  void resize(size_t n) {
    Own().resize(n);
    Sync();
  }
  void assign(size_t n, const T& v) {
    keep_.reset();
    own_.assign(n, v);
    Sync();
  }
  void reserve(size_t n) {
    Own().reserve(n);
    Sync();
  }

 private:
  std::vector<T>& Own() {
    if (keep_ != nullptr) {
      own_.assign(data_, data_ + size_);
      keep_.reset();
      Sync();
    }
    return own_;
  }
  void Sync() {
    data_ = own_.data();
    size_ = own_.size();
  }
  void CopyPointers(const Column& o) {
    if (keep_ != nullptr) {
      data_ = o.data_;
      size_ = o.size_;
    } else {
      Sync();
    }
  }
  void Reset() {
    own_.clear();
    keep_.reset();
    Sync();
  }

  std::vector<T> own_;
  std::shared_ptr<const void> keep_;  // set for a view
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace treem::indicators

#endif  // TREEM_LIB_INDICATORS_COLUMN_H_
