#pragma once
#include <chrono>
#include <string_view>
#include <vector>

namespace qrfleet {

// A duration as operators write it in the environment: an integer and a unit,
// s, m, h or d ("90s", "3d"). Throws std::invalid_argument saying what is wrong.
std::chrono::milliseconds parseDuration(std::string_view text);
// A comma-separated list of them ("1d,3d,5d"), at least one.
std::vector<std::chrono::milliseconds> parseDurationList(std::string_view text);

}  // namespace qrfleet
