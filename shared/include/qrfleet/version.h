#pragma once
#include <string_view>

namespace qrfleet {
inline constexpr std::string_view kVersion = QRFLEET_VERSION;
}
