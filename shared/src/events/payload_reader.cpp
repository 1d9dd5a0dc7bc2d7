#include "qrfleet/events/payload_reader.h"

#include <arpa/inet.h>

#include "qrfleet/envelope.h"
#include "qrfleet/time_format.h"

namespace qrfleet {

PayloadReader::PayloadReader(const nlohmann::json& payload, std::string_view eventType)
    : payload_(payload), eventType_(eventType) {}

PayloadReader::PayloadReader(const nlohmann::json& payload, std::string_view eventType, std::string path)
    : payload_(payload), eventType_(eventType), path_(std::move(path)) {}

void PayloadReader::violation(const std::string& message) const {
  throw EventRejected(RejectReason::schemaViolation, std::string(eventType_) + ": " + message);
}

namespace {
std::size_t utf8Length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

std::optional<std::string> PayloadReader::optionalString(const char* field, std::size_t minLen,
                                                         std::size_t maxLen) const {
  auto it = payload_.find(field);
  if (it == payload_.end()) return std::nullopt;
  if (!it->is_string()) violation("field '" + name(field) + "' must be a string");
  const auto& s = it->get_ref<const std::string&>();
  auto len = utf8Length(s);
  if (len < minLen || len > maxLen)
    violation("field '" + name(field) + "' must be " + std::to_string(minLen) + ".." +
              std::to_string(maxLen) + " characters, got " + std::to_string(len));
  return s;
}

std::string PayloadReader::string(const char* field, std::size_t minLen, std::size_t maxLen) const {
  auto v = optionalString(field, minLen, maxLen);
  if (!v) violation("required field '" + name(field) + "' is missing");
  return *v;
}

std::int64_t PayloadReader::timestamp(const char* field) const {
  auto s = string(field, 1, 64);
  auto ms = parseRfc3339Millis(s);
  if (!ms) violation("field '" + name(field) + "' is not an RFC 3339 date-time: '" + s + "'");
  return *ms;
}

std::string PayloadReader::ipAddress(const char* field) const {
  auto s = string(field, 2, 45);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return s;
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1 && inet_ntop(AF_INET6, buf, out, sizeof out)) return out;
  violation("field '" + name(field) + "' is not an IPv4 or IPv6 address: '" + s + "'");
}

std::optional<std::string> PayloadReader::optionalHttpUrl(const char* field, std::size_t maxLen) const {
  auto s = optionalString(field, 1, maxLen);
  if (!s) return s;
  auto scheme = s->find("://");
  bool ok = scheme != std::string::npos && scheme > 0 && s->size() > scheme + 3;
  for (std::size_t i = 0; ok && i < scheme; ++i) {
    char c = (*s)[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
  }
  for (char c : *s) ok = ok && static_cast<unsigned char>(c) > 0x20;
  if (!ok) violation("field '" + name(field) + "' is not a URL: '" + *s + "'");
  return s;
}

std::optional<std::string> PayloadReader::optionalCountryCode(const char* field) const {
  auto s = optionalString(field, 2, 2);
  if (s && !((*s)[0] >= 'A' && (*s)[0] <= 'Z' && (*s)[1] >= 'A' && (*s)[1] <= 'Z'))
    violation("field '" + name(field) + "' is not an ISO 3166-1 alpha-2 code: '" + *s + "'");
  return s;
}

void PayloadReader::onlyFields(std::initializer_list<std::string_view> allowed) const {
  for (auto it = payload_.begin(); it != payload_.end(); ++it) {
    bool ok = false;
    for (auto a : allowed) ok = ok || it.key() == a;
    if (!ok) violation("unknown field '" + path_ + it.key() + "'");
  }
}

std::optional<double> PayloadReader::optionalNumber(const char* field, double min, double max) const {
  auto it = payload_.find(field);
  if (it == payload_.end()) return std::nullopt;
  if (!it->is_number()) violation("field '" + name(field) + "' must be a number");
  double v = it->get<double>();
  if (!(v >= min && v <= max))
    violation("field '" + name(field) + "' must be within " + nlohmann::json(min).dump() + ".." +
              nlohmann::json(max).dump() + ", got " + it->dump());
  return v;
}

double PayloadReader::number(const char* field, double min, double max) const {
  auto v = optionalNumber(field, min, max);
  if (!v) violation("required field '" + name(field) + "' is missing");
  return *v;
}

std::optional<std::int64_t> PayloadReader::optionalInteger(const char* field, std::int64_t min,
                                                           std::int64_t max) const {
  auto it = payload_.find(field);
  if (it == payload_.end()) return std::nullopt;
  if (!it->is_number_integer()) violation("field '" + name(field) + "' must be an integer");
  bool fits = !it->is_number_unsigned() || it->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX);
  auto v = fits ? it->get<std::int64_t>() : max;
  if (!fits || v < min || v > max)
    violation("field '" + name(field) + "' must be within " + std::to_string(min) + ".." + std::to_string(max) +
              ", got " + it->dump());
  return v;
}

std::int64_t PayloadReader::integer(const char* field, std::int64_t min, std::int64_t max) const {
  auto v = optionalInteger(field, min, max);
  if (!v) violation("required field '" + name(field) + "' is missing");
  return *v;
}

PayloadReader PayloadReader::object(const char* field) const {
  auto it = payload_.find(field);
  if (it == payload_.end()) violation("required field '" + name(field) + "' is missing");
  if (!it->is_object()) violation("field '" + name(field) + "' must be an object");
  return PayloadReader(*it, eventType_, name(field) + ".");
}

const nlohmann::json& PayloadReader::array(const char* field, std::size_t minItems, std::size_t maxItems) const {
  auto it = payload_.find(field);
  if (it == payload_.end()) violation("required field '" + name(field) + "' is missing");
  if (!it->is_array()) violation("field '" + name(field) + "' must be an array");
  if (it->size() < minItems || it->size() > maxItems)
    violation("field '" + name(field) + "' must have " + std::to_string(minItems) + ".." + std::to_string(maxItems) +
              " items, got " + std::to_string(it->size()));
  return *it;
}

}  // namespace qrfleet
