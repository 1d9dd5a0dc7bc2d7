#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace qrfleet {

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
bool validUtf8(std::string_view s);

// Text Postgres and JSON accept: valid UTF-8 with no NUL, each bad byte as
// '?', at most `maxBytes` bytes cut on a character boundary.
std::string utf8Prefix(std::string_view s, std::size_t maxBytes);

}  // namespace qrfleet
