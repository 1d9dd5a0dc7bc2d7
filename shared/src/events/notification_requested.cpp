#include "qrfleet/events/notification_requested.h"

#include "qrfleet/events/payload_reader.h"

namespace qrfleet::events {

NotificationRequested NotificationRequested::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<NotificationRequested>(e);
  r.onlyFields({"recipientId", "channel", "template", "data"});
  NotificationRequested n;
  n.recipientId = r.string("recipientId", 1, 128);
  n.channel = r.string("channel", 1, 16);
  if (n.channel != "push" && n.channel != "email" && n.channel != "sms" && n.channel != "in_app")
    r.violation("field 'channel' must be one of push, email, sms, in_app; got '" + n.channel + "'");
  n.templateName = r.string("template", 1, 128);
  if (auto it = e.payload.find("data"); it != e.payload.end()) {
    if (!it->is_object()) r.violation("field 'data' must be an object");
    n.data = *it;
  }
  return n;
}

nlohmann::json NotificationRequested::toPayload() const {
  return {{"recipientId", recipientId}, {"channel", channel}, {"template", templateName}, {"data", data}};
}

}  // namespace qrfleet::events
