#include "qrfleet/events/notification_requested.h"

#include <regex>

#include "qrfleet/events/payload_reader.h"
#include "qrfleet/time_format.h"

namespace qrfleet::events {

namespace {
constexpr std::size_t kMaxDeviceTokens = 100;

// One '@' between two non-empty parts, none of them a space, a control
// character or what ends an address on an SMTP command line (<, >, quotes...):
// an address goes into RCPT TO as it is.
bool isSendableEmail(const std::string& s) {
  auto at = s.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == s.size() || s.find('@', at + 1) != std::string::npos)
    return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || std::string_view("<>()[],;:\\\"").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  return true;
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool isE164(const std::string& s) {
  static const std::regex e164(R"(\+[1-9][0-9]{6,14})");
  return std::regex_match(s, e164);
}

std::optional<std::int64_t> optionalTime(const PayloadReader& r, const nlohmann::json& payload, const char* field) {
  if (!payload.contains(field)) return std::nullopt;
  return r.timestamp(field);
}
}  // namespace

RecipientAddress RecipientAddress::read(const PayloadReader& r, const nlohmann::json& object) {
  RecipientAddress a;
  a.email = r.optionalString("email", 3, 254);
  if (a.email && !isSendableEmail(*a.email))
    r.violation("field 'email' must be an email address (local@domain, no spaces, control characters or <>()[],;:\\\")");
  a.phone = r.optionalString("phone", 8, 16);
  if (a.phone && !isE164(*a.phone)) r.violation("field 'phone' must be an E.164 number (+4915112345678)");
  if (object.contains("deviceTokens"))
    for (const auto& t : r.array("deviceTokens", 1, kMaxDeviceTokens)) {
      if (!t.is_string() || t.get<std::string>().empty() || t.get<std::string>().size() > 4096 ||
          !printable(t.get<std::string>()))
        r.violation("field 'deviceTokens' must hold non-empty strings without control characters");
      a.deviceTokens.push_back(t.get<std::string>());
    }
  return a;
}

NotificationRequested NotificationRequested::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<NotificationRequested>(e);
  bool v2 = e.version >= 2;
  if (v2)
    r.onlyFields({"recipientId", "channel", "template", "data", "to", "priority", "locale", "sendAfter", "expiresAt",
                  "dedupeKey", "subject", "body"});
  else
    r.onlyFields({"recipientId", "channel", "template", "data"});
  NotificationRequested n;
  n.recipientId = r.string("recipientId", 1, 128);
  n.channel = r.string("channel", 1, 16);
  if (n.channel != "push" && n.channel != "email" && n.channel != "sms" && n.channel != "in_app")
    r.violation("field 'channel' must be one of push, email, sms, in_app; got '" + n.channel + "'");
  if (!v2 || e.payload.contains("template")) n.templateName = r.string("template", 1, 128);
  if (auto it = e.payload.find("data"); it != e.payload.end()) {
    if (!it->is_object()) r.violation("field 'data' must be an object");
    n.data = *it;
  }
  if (!v2) return n;

  if (e.payload.contains("to")) {
    auto to = r.object("to");
    to.onlyFields({"email", "phone", "deviceTokens"});
    n.to = RecipientAddress::read(to, e.payload["to"]);
  }
  n.priority = r.optionalString("priority", 1, 8).value_or("normal");
  if (n.priority != "urgent" && n.priority != "normal" && n.priority != "bulk")
    r.violation("field 'priority' must be one of urgent, normal, bulk; got '" + n.priority + "'");
  n.locale = r.optionalString("locale", 2, 35);
  n.sendAfterMs = optionalTime(r, e.payload, "sendAfter");
  n.expiresAtMs = optionalTime(r, e.payload, "expiresAt");
  n.dedupeKey = r.optionalString("dedupeKey", 1, 200);
  n.subject = r.optionalString("subject", 1, 998);
  n.body = r.optionalString("body", 1, 100000);
  if (n.templateName.empty() && !n.body) r.violation("one of the fields 'template' and 'body' must be given");
  if (!n.templateName.empty() && (n.body || n.subject))
    r.violation("fields 'subject' and 'body' are an alternative to 'template', not an addition");
  return n;
}

int NotificationRequested::version() const {
  bool onlyV1 = to.empty() && priority == "normal" && !locale && !sendAfterMs && !expiresAtMs && !dedupeKey &&
                !subject && !body && !templateName.empty();
  return onlyV1 ? 1 : 2;
}

nlohmann::json NotificationRequested::toPayload() const {
  nlohmann::json j = {{"recipientId", recipientId}, {"channel", channel}, {"data", data}};
  if (!templateName.empty()) j["template"] = templateName;
  if (version() == 1) return j;
  if (!to.empty()) {
    auto& t = j["to"] = nlohmann::json::object();
    if (to.email) t["email"] = *to.email;
    if (to.phone) t["phone"] = *to.phone;
    if (!to.deviceTokens.empty()) t["deviceTokens"] = to.deviceTokens;
  }
  if (priority != "normal") j["priority"] = priority;
  if (locale) j["locale"] = *locale;
  if (sendAfterMs) j["sendAfter"] = formatRfc3339Millis(*sendAfterMs);
  if (expiresAtMs) j["expiresAt"] = formatRfc3339Millis(*expiresAtMs);
  if (dedupeKey) j["dedupeKey"] = *dedupeKey;
  if (subject) j["subject"] = *subject;
  if (body) j["body"] = *body;
  return j;
}

std::string notificationTopicFor(std::string_view priority) {
  if (priority == "urgent") return "notifications-urgent";
  if (priority == "bulk") return "notifications-bulk";
  return "notifications";
}

}  // namespace qrfleet::events
