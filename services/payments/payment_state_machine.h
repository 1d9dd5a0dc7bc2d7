#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qrfleet::payments {

// A payment's life (payments.payments.state):
//   pending -> succeeded | failed;  failed -> succeeded (a retried charge succeeds)
//   succeeded -> partially_refunded | refunded | disputed
//   partially_refunded -> partially_refunded | refunded | disputed
//   failed -> failed (another attempt failed); refunded and disputed stay.
// A payment the worker has not heard of is pending.
enum class PaymentState { pending, succeeded, failed, partiallyRefunded, refunded, disputed };
std::string_view stateName(PaymentState s);
std::optional<PaymentState> parseState(std::string_view name);

struct Payment {
  PaymentState state = PaymentState::pending;
  std::int64_t amount = 0;  // minor units
  std::string currency;
  std::int64_t refunded = 0;
  std::int64_t disputed = 0;
};

// What a provider's event asks of a payment.
enum class PaymentChange { succeed, fail, refund, dispute };

struct PaymentTransition {
  enum class Verdict {
    applied,          // the payment moved to `target`
    duplicateObject,  // its success is known already (a second report of one charge): nothing to do
    rejected,         // illegal or impossible (an over-refund): recorded, payment and ledger unchanged
    waitForPayment,   // a refund or dispute of a payment not (yet) known to have succeeded: its success may still be in flight
  };
  Verdict verdict = Verdict::rejected;
  std::optional<PaymentState> from;  // nullopt: the payment was not known
  PaymentState target = PaymentState::pending;  // the state the event asked for
  std::string reason;                 // why, unless applied
  Payment after;                      // the payment afterwards (as it was, unless applied)
};

// Decides one event against the payment as it stands (`known` null: never
// heard of). `amount` and `currency` are the event's: the charge's for
// succeed and fail (they set the payment's), this refund's or dispute's for
// the others. Refunds add up; a refund that would take them past the amount
// is rejected, as is a dispute of more than the unrefunded amount, and either
// in another currency. Nothing moves a payment back: a success after a
// refund, a failure after a success.
PaymentTransition decidePaymentTransition(const Payment* known, PaymentChange change, std::int64_t amount,
                                          const std::string& currency);

}  // namespace qrfleet::payments
