#include "qrfleet/events/notification_contact.h"

#include <regex>

#include "qrfleet/events/payload_reader.h"

namespace qrfleet::events {

namespace {
bool isClockTime(const std::string& s) {
  static const std::regex hhmm(R"(([01][0-9]|2[0-3]):[0-5][0-9])");
  return std::regex_match(s, hhmm);
}
}  // namespace

NotificationContactUpdated NotificationContactUpdated::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<NotificationContactUpdated>(e);
  r.onlyFields({"recipientId", "email", "phone", "deviceTokens", "locale", "timeZone", "quietHours"});
  NotificationContactUpdated c;
  c.recipientId = r.string("recipientId", 1, 128);
  c.address = RecipientAddress::read(r, e.payload);
  c.locale = r.optionalString("locale", 2, 35);
  c.timeZone = r.optionalString("timeZone", 1, 64);
  if (e.payload.contains("quietHours")) {
    auto q = r.object("quietHours");
    q.onlyFields({"start", "end"});
    c.quietStart = q.string("start", 5, 5);
    c.quietEnd = q.string("end", 5, 5);
    if (!isClockTime(*c.quietStart) || !isClockTime(*c.quietEnd))
      r.violation("fields 'quietHours.start' and 'quietHours.end' must be HH:MM");
    if (!c.timeZone) r.violation("field 'quietHours' needs 'timeZone'");
  }
  return c;
}

nlohmann::json NotificationContactUpdated::toPayload() const {
  nlohmann::json j = {{"recipientId", recipientId}};
  if (address.email) j["email"] = *address.email;
  if (address.phone) j["phone"] = *address.phone;
  if (!address.deviceTokens.empty()) j["deviceTokens"] = address.deviceTokens;
  if (locale) j["locale"] = *locale;
  if (timeZone) j["timeZone"] = *timeZone;
  if (quietStart && quietEnd) j["quietHours"] = {{"start", *quietStart}, {"end", *quietEnd}};
  return j;
}

}  // namespace qrfleet::events
