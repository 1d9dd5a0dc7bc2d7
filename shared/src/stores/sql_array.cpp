#include "qrfleet/sql_array.h"

namespace qrfleet {

void SqlArray::separate() {
  if (size_++ > 0) body_ += ',';
}

SqlArray& SqlArray::add(std::string_view text) {
  separate();
  body_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') body_ += '\\';
    body_ += c;
  }
  body_ += '"';
  return *this;
}

SqlArray& SqlArray::add(std::int64_t number) {
  separate();
  body_ += std::to_string(number);
  return *this;
}

SqlArray& SqlArray::addBool(bool value) {
  separate();
  body_ += value ? 't' : 'f';
  return *this;
}

SqlArray& SqlArray::addNull() {
  separate();
  body_ += "NULL";
  return *this;
}

}  // namespace qrfleet
