#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "qrfleet/envelope.h"

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
  // JSON numbers (integers accepted) within [min, max].
  double number(const char* field, double min, double max) const;
  std::optional<double> optionalNumber(const char* field, double min, double max) const;
  std::int64_t integer(const char* field, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInteger(const char* field, std::int64_t min, std::int64_t max) const;
  // A nested object, read with the same rules; messages name the path ("pickup.lat").
  PayloadReader object(const char* field) const;
  // An array of minItems..maxItems elements.
  const nlohmann::json& array(const char* field, std::size_t minItems, std::size_t maxItems) const;
  // Rejects fields the schema does not declare (additionalProperties: false).
  void onlyFields(std::initializer_list<std::string_view> allowed) const;

  [[noreturn]] void violation(const std::string& message) const;

 private:
  PayloadReader(const nlohmann::json& payload, std::string_view eventType, std::string path);
  std::string name(const char* field) const { return path_ + field; }

  const nlohmann::json& payload_;
  std::string_view eventType_;
  std::string path_;  // "pickup." inside a nested object
};

// The reader for an event's payload, after refusing versions Event does not support.
template <class Event>
PayloadReader payloadReaderFor(const Envelope& e) {
  if (!Event::supports(e.version))
    throw EventRejected(RejectReason::unsupportedVersion,
                        std::string(Event::type) + " version " + std::to_string(e.version) + " is not supported");
  return PayloadReader(e.payload, Event::type);
}

}  // namespace qrfleet
