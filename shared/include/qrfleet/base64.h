#pragma once
#include <string>
#include <string_view>

namespace qrfleet {

// RFC 4648 base64 with padding (MIME bodies, HTTP basic auth).
std::string base64Encode(std::string_view bytes);

}  // namespace qrfleet
