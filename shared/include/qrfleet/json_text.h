#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace qrfleet {

// Appends exactly what value.dump() would write (compact, keys in the order
// nlohmann keeps them) to `out`. nlohmann's serializer runs a UTF-8 decoder
// over every byte of every string; an event whose payload carries a raw
// document (a webhook's body) spent more time there than anywhere else. This
// writer copies runs of bytes that need no escape in one go, checks UTF-8 once
// per string with validUtf8, and leaves numbers and invalid text (which throws,
// as dump() does) to nlohmann.
void appendJson(std::string& out, const nlohmann::json& value);
// The same for one string, without first making it a JSON value.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace qrfleet
