#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace qrfleet {

// Typed, strict reads of a payload's fields. Every failure throws
// EventRejected(schemaViolation) naming the field, mirroring the JSON Schema
// under schemas/events/ (tests check the two agree on every example).
class PayloadReader {
 public:
  PayloadReader(const nlohmann::json& payload, std::string_view eventType);

  std::string string(const char* field, std::size_t minLen, std::size_t maxLen) const;
  std::optional<std::string> optionalString(const char* field, std::size_t minLen, std::size_t maxLen) const;
  std::int64_t timestamp(const char* field) const;  // RFC 3339 -> epoch ms
  std::string ipAddress(const char* field) const;   // IPv4 or IPv6 literal, normalised
  std::optional<std::string> optionalHttpUrl(const char* field, std::size_t maxLen) const;
  std::optional<std::string> optionalCountryCode(const char* field) const;  // ISO 3166-1 alpha-2
  // Rejects fields the schema does not declare (additionalProperties: false).
  void onlyFields(std::initializer_list<std::string_view> allowed) const;

  [[noreturn]] void violation(const std::string& message) const;

 private:
  const nlohmann::json& payload_;
  std::string_view eventType_;
};

}  // namespace qrfleet
