#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace qrfleet {

// A text field of one entry of a JSON configuration document (a worker's
// provider list, the gateway's providers). `where` names the entry in the
// message, e.g. "WEBHOOK_PROVIDERS[1] (acme)". An absent optional field is
// empty; a missing required one or a non-string throws std::invalid_argument.
std::string documentText(const nlohmann::json& entry, const std::string& where, const char* field, bool required);

}  // namespace qrfleet
