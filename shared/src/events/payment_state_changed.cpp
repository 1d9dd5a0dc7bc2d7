#include "qrfleet/events/payment_state_changed.h"

#include "qrfleet/events/payload_reader.h"

namespace qrfleet::events {

PaymentStateChanged PaymentStateChanged::fromEnvelope(const Envelope& e) {
  auto r = payloadReaderFor<PaymentStateChanged>(e);
  r.onlyFields({"entity", "id", "from", "to", "provider", "providerEventId"});
  PaymentStateChanged c;
  c.entity = r.string("entity", 1, 16);
  if (c.entity != "payment" && c.entity != "subscription" && c.entity != "dunning" && c.entity != "fraud")
    r.violation("field 'entity' must be one of payment, subscription, dunning, fraud; got '" + c.entity + "'");
  c.id = r.string("id", 1, 255);
  c.from = r.optionalString("from", 1, 64);
  c.to = r.string("to", 1, 64);
  c.provider = r.string("provider", 1, 32);
  c.providerEventId = r.string("providerEventId", 1, 400);
  return c;
}

nlohmann::json PaymentStateChanged::toPayload() const {
  nlohmann::json j = {{"entity", entity}, {"id", id}, {"to", to}, {"provider", provider},
                      {"providerEventId", providerEventId}};
  if (from) j["from"] = *from;
  return j;
}

}  // namespace qrfleet::events
