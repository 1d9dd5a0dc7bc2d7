#pragma once
#include <string>
#include <string_view>

namespace qrfleet::webhook {

// Lower-case hex of HMAC-SHA256(key, message): what providers sign webhooks with.
std::string hmacSha256Hex(std::string_view key, std::string_view message);

// Equal bytes, in time that depends only on the lengths (CRYPTO_memcmp): a
// signature compared byte by byte with an early exit tells an attacker how
// many leading characters of a forgery are right.
bool constantTimeEqual(std::string_view a, std::string_view b);

}  // namespace qrfleet::webhook
