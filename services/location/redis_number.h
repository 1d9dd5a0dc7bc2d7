#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace qrfleet::location {

// A double as Redis arguments take it: shortest text that reads back the same.
inline std::string redisNumber(double v) { return nlohmann::json(v).dump(); }

}  // namespace qrfleet::location
