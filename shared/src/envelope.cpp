#include "qrfleet/envelope.h"

#include "qrfleet/event_id.h"
#include "qrfleet/json_text.h"
#include "qrfleet/time_format.h"

namespace qrfleet {

std::string_view rejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::malformedJson: return "malformed-json";
    case RejectReason::invalidEnvelope: return "invalid-envelope";
    case RejectReason::unknownEventType: return "unknown-event-type";
    case RejectReason::unsupportedVersion: return "unsupported-event-version";
    case RejectReason::schemaViolation: return "schema-violation";
    case RejectReason::oversized: return "oversized";
    case RejectReason::missingKey: return "missing-key";
    case RejectReason::handlerRejected: return "handler-rejected";
    case RejectReason::outsideRefused: return "outside-refused";
  }
  return "unknown";
}

namespace {
[[noreturn]] void bad(const std::string& what) { throw EventRejected(RejectReason::invalidEnvelope, what); }

const std::string& requiredString(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) bad(std::string("envelope field '") + field + "' is missing");
  if (!it->is_string()) bad(std::string("envelope field '") + field + "' must be a string");
  if (it->get_ref<const std::string&>().empty()) bad(std::string("envelope field '") + field + "' is empty");
  return it->get_ref<const std::string&>();
}

std::optional<std::string> optionalString(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad(std::string("envelope field '") + field + "' must be a string");
  return it->get<std::string>();
}

bool isDottedType(const std::string& s) {
  // lower-case segments separated by dots: scan.recorded, booking.created
  if (s.empty() || s.size() > 128 || s.front() == '.' || s.back() == '.') return false;
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return false;
      dot = true;
      continue;
    }
    dot = false;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return s.find('.') != std::string::npos;
}
}  // namespace

Envelope Envelope::decode(std::string_view bytes) {
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded()) throw EventRejected(RejectReason::malformedJson, "message is not valid JSON");
  return fromJson(j);
}

Envelope Envelope::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) bad("envelope must be a JSON object");
  static constexpr const char* known[] = {"eventId", "eventType", "version", "timestamp", "source",
                                          "correlationId", "causationId", "tenantId", "payload"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) bad("unknown envelope field '" + it.key() + "'");
  }
  Envelope e;
  e.eventId = requiredString(j, "eventId");
  if (!isUuid(e.eventId)) bad("eventId '" + e.eventId + "' is not a UUID");
  e.eventType = requiredString(j, "eventType");
  if (!isDottedType(e.eventType)) bad("eventType '" + e.eventType + "' is not a dotted lower-case name");
  auto v = j.find("version");
  if (v == j.end()) bad("envelope field 'version' is missing");
  if (!v->is_number_integer() || v->get<std::int64_t>() < 1 || v->get<std::int64_t>() > 1000)
    bad("envelope field 'version' must be an integer >= 1");
  e.version = v->get<int>();
  const auto& ts = requiredString(j, "timestamp");
  auto parsed = parseRfc3339Millis(ts);
  if (!parsed) bad("timestamp '" + ts + "' is not RFC 3339");
  e.timestampMs = *parsed;
  e.source = requiredString(j, "source");
  e.correlationId = optionalString(j, "correlationId");
  e.causationId = optionalString(j, "causationId");
  e.tenantId = optionalString(j, "tenantId");
  auto p = j.find("payload");
  if (p == j.end()) bad("envelope field 'payload' is missing");
  if (!p->is_object()) bad("envelope field 'payload' must be an object");
  e.payload = *p;
  return e;
}

nlohmann::json Envelope::toJson() const {
  nlohmann::json j = {{"eventId", eventId},
                      {"eventType", eventType},
                      {"version", version},
                      {"timestamp", formatRfc3339Millis(timestampMs)},
                      {"source", source},
                      {"payload", payload}};
  if (correlationId) j["correlationId"] = *correlationId;
  if (causationId) j["causationId"] = *causationId;
  if (tenantId) j["tenantId"] = *tenantId;
  return j;
}

// The bytes of toJson().dump() (keys in nlohmann's sorted order), written
// without first copying the payload into a new tree, and with appendJson's
// string escaping: the payload is most of an event (a webhook's raw body, a
// batch's items), and copying and serializing it was a producer's largest cost.
std::string Envelope::encode() const {
  std::string out;
  out.reserve(512);
  char sep = '{';
  auto name = [&](const char* field) {
    out += sep;
    out += '"';
    out += field;
    out += "\":";
    sep = ',';
  };
  auto text = [&](const char* field, std::string_view value) {
    name(field);
    appendJsonString(out, value);
  };
  if (causationId) text("causationId", *causationId);
  if (correlationId) text("correlationId", *correlationId);
  text("eventId", eventId);
  text("eventType", eventType);
  name("payload");
  appendJson(out, payload);
  text("source", source);
  if (tenantId) text("tenantId", *tenantId);
  text("timestamp", formatRfc3339Millis(timestampMs));
  name("version");
  out += std::to_string(version);
  out += '}';
  return out;
}

}  // namespace qrfleet
