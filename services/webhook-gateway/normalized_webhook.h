#pragma once
#include <string>

#include "qrfleet/events/payment_events.h"

namespace qrfleet::webhook {

// What an adapter made of a verified body.
struct NormalizedWebhook {
  enum class Kind {
    event,          // `event` is ready (all but its webhook field)
    ignored,        // a type we do not normalize: answered 200 so the provider stops retrying
    unprocessable,  // a type we normalize, missing or with a bad field: 422 naming it
  };
  Kind kind = Kind::unprocessable;
  events::PaymentEvent event = {};
  std::string providerEventId;  // when the body has one: for the logs
  std::string providerType;     // the provider's own event type: for the logs
  std::string problem;          // unprocessable: the field and what is wrong with it

  static NormalizedWebhook ignored(std::string providerEventId, std::string providerType) {
    NormalizedWebhook n;
    n.kind = Kind::ignored;
    n.providerEventId = std::move(providerEventId);
    n.providerType = std::move(providerType);
    return n;
  }
};

}  // namespace qrfleet::webhook
