#pragma once
#include <cstdint>
#include <string>

#include "qrfleet/envelope.h"

namespace qrfleet::events {

// `payments.dunning-retry-due` (topic payment-events, key customerId): a step
// of an unpaid invoice's dunning is due. qrfleet-payments' dunning task sends
// it when the step's time has come, and the worker makes the step when it
// reads it back (in the customer's partition, in order with the provider's
// events): steps 1..n retry the invoice's payment, step n+1 (after the last
// retry failed) cancels the subscription. Its eventId is a function of
// (provider, invoiceId, step) alone, so a step sent twice is one event.
// Contract: schemas/events/payments.dunning-retry-due.v1.json.
struct DunningRetryDue {
  static constexpr std::string_view type = "payments.dunning-retry-due";
  static bool supports(int version) { return version == 1; }

  std::string provider;
  std::string invoiceId;
  std::string subscriptionId;
  std::string customerId;  // the Kafka key
  int step = 1;            // 1..n: retry n; n+1: cancel

  static DunningRetryDue fromEnvelope(const Envelope& e);
  nlohmann::json toPayload() const;
  // "dunning:<provider>:<invoiceId>:<step>": what the event id is made from.
  std::string name() const;
  // The envelope with the deterministic id (uuidV5 of name()); tenant: the customer.
  Envelope toEnvelope(const std::string& source, std::int64_t timestampMs) const;
};

}  // namespace qrfleet::events
