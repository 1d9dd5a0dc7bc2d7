#include "qrfleet/tools/loadgen/notification_workload.h"

#include "qrfleet/event_id.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/time_format.h"

namespace qrfleet::loadgen {

std::pair<std::string, Envelope> NotificationWorkload::next() {
  auto r = index_ % options_.recipients;
  auto who = "lg-" + options_.runId + "-" + std::to_string(r);
  events::NotificationRequested n;
  n.recipientId = who;
  n.channel = options_.channel;
  n.priority = options_.priority;
  n.subject = "Load test " + std::to_string(index_);
  n.body = "Message " + std::to_string(index_) + " to " + who;
  if (n.channel == "email") n.to.email = who + "@loadgen.example";
  if (n.channel == "sms") n.to.phone = "+1555" + std::to_string(1000000 + r % 9000000);
  if (n.channel == "push") n.to.deviceTokens = {"token-" + who};
  ++index_;
  Envelope e;
  e.eventId = randomUuid();
  e.eventType = std::string(events::NotificationRequested::type);
  e.version = n.version();
  e.timestampMs = nowMillis();
  e.source = "qrfleet-loadgen";
  e.payload = n.toPayload();
  return {who, std::move(e)};
}

}  // namespace qrfleet::loadgen
