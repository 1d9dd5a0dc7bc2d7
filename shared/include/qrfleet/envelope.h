#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qrfleet {

// Why an event was refused. The class goes into the `dlq-error-class` header,
// so it is a short stable token that tools can filter on.
enum class RejectReason {
  malformedJson,          // not JSON / not UTF-8
  invalidEnvelope,        // JSON, but not a valid envelope
  unknownEventType,       // this service does not handle the type
  unsupportedVersion,     // known type, version not supported here
  schemaViolation,        // payload breaks the event's schema
  oversized,              // larger than MAX_EVENT_BYTES
  missingKey,             // no Kafka key (partitioning contract broken)
  handlerRejected,        // the handler's domain rules refused it
  outsideRefused,         // a provider refused the event's outside call for good (a 4xx, a bad address)
};
std::string_view rejectReasonName(RejectReason r);

// A permanent problem with one event: it goes to the dead-letter queue.
class EventRejected : public std::runtime_error {
 public:
  EventRejected(RejectReason reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  RejectReason reason() const { return reason_; }

 private:
  RejectReason reason_;
};

// The BaseEvent envelope of DESIGN.md, strict.
struct Envelope {
  std::string eventId;                 // UUID
  std::string eventType;               // dotted, e.g. scan.recorded
  int version = 1;
  std::int64_t timestampMs = 0;        // RFC 3339 UTC on the wire
  std::string source;
  std::optional<std::string> correlationId;
  std::optional<std::string> causationId;
  std::optional<std::string> tenantId;
  nlohmann::json payload = nlohmann::json::object();

  // Throws EventRejected(malformedJson | invalidEnvelope).
  static Envelope decode(std::string_view bytes);
  static Envelope fromJson(const nlohmann::json& j);
  nlohmann::json toJson() const;
  std::string encode() const;
};

// Kafka header names carried by every event so routing needs no payload parse.
namespace header {
inline constexpr std::string_view eventType = "event-type";
inline constexpr std::string_view eventVersion = "event-version";
inline constexpr std::string_view correlationId = "correlation-id";
inline constexpr std::string_view eventId = "event-id";
}  // namespace header

}  // namespace qrfleet
