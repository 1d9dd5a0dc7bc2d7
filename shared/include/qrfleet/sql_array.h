#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace qrfleet {

// A Postgres array literal ('{"a","b",NULL}'), built element by element, to
// pass a whole column of a batch as one statement parameter and read it back
// with unnest($n::text[], ...): one round trip for any number of rows, without
// a temporary table. (libpqxx 6 has no array parameters.)
class SqlArray {
 public:
  SqlArray& add(std::string_view text);  // quoted and escaped
  SqlArray& add(const char* text) { return add(std::string_view(text)); }
  SqlArray& add(std::int64_t number);
  SqlArray& addBool(bool value);  // not an add() overload: pointers and ints would convert to bool
  SqlArray& addNull();
  // The literal; "{}" when nothing was added.
  std::string str() const { return body_.empty() ? "{}" : "{" + body_ + "}"; }
  std::size_t size() const { return size_; }

 private:
  void separate();
  std::string body_;
  std::size_t size_ = 0;
};

}  // namespace qrfleet
