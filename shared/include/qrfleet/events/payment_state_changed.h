#pragma once
#include <optional>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// `payments.state-changed` (topic audit-logs, key tenantId = the customer):
// qrfleet-payments moved a payment, a subscription, a dunning or a customer's
// fraud standing from one state to another because of a provider's event (or
// a dunning step, whose providerEventId is the step's name,
// "dunning:<provider>:<invoice>:<step>"). Its eventId is a function of the
// provider event and the entity, so a re-run sends the same record.
// Contract: schemas/events/payments.state-changed.v1.json.
struct PaymentStateChanged {
  static constexpr std::string_view type = "payments.state-changed";
  static bool supports(int version) { return version == 1; }

  std::string entity;               // payment | subscription | dunning | fraud
  std::string id;                   // the payment, subscription, invoice (dunning) or customer (fraud)
  std::optional<std::string> from;  // absent: the entity is new
  std::string to;
  std::string provider;
  std::string providerEventId;

  static PaymentStateChanged fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
};

}  // namespace qrfleet::events
