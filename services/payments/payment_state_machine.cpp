#include "payment_state_machine.h"

#include <array>

namespace qrfleet::payments {

namespace {
constexpr std::array<std::pair<PaymentState, std::string_view>, 6> kStateNames = {{
    {PaymentState::pending, "pending"},
    {PaymentState::succeeded, "succeeded"},
    {PaymentState::failed, "failed"},
    {PaymentState::partiallyRefunded, "partially_refunded"},
    {PaymentState::refunded, "refunded"},
    {PaymentState::disputed, "disputed"},
}};

// Money was taken: a success is known, whatever came after.
bool hasSucceeded(PaymentState s) {
  return s == PaymentState::succeeded || s == PaymentState::partiallyRefunded || s == PaymentState::refunded ||
         s == PaymentState::disputed;
}

std::string amountText(std::int64_t amount, const std::string& currency) {
  return std::to_string(amount) + " " + currency;
}
}  // namespace

std::string_view stateName(PaymentState s) {
  for (const auto& [state, name] : kStateNames)
    if (state == s) return name;
  return "pending";
}

std::optional<PaymentState> parseState(std::string_view name) {
  for (const auto& [state, n] : kStateNames)
    if (n == name) return state;
  return std::nullopt;
}

PaymentTransition decidePaymentTransition(const Payment* known, PaymentChange change, std::int64_t amount,
                                          const std::string& currency) {
  using Verdict = PaymentTransition::Verdict;
  PaymentTransition t;
  Payment current = known ? *known : Payment{};
  if (known) t.from = known->state;
  t.after = current;
  auto verdict = [&](Verdict v, PaymentState target, std::string reason) {
    t.verdict = v;
    t.target = target;
    t.reason = std::move(reason);
    return t;
  };
  auto apply = [&](PaymentState target, Payment after) {
    t.verdict = Verdict::applied;
    t.target = target;
    after.state = target;
    t.after = std::move(after);
    return t;
  };
  const auto state = current.state;
  const std::string here = "payment is " + std::string(stateName(state));

  switch (change) {
    case PaymentChange::succeed: {
      // A refund or dispute waits for the success, so a payment past it has had
      // its success applied: this is a second report of it (booked once).
      if (hasSucceeded(state))
        return verdict(Verdict::duplicateObject, PaymentState::succeeded,
                       state == PaymentState::succeeded ? "already succeeded"
                                                        : "already succeeded (" + here + "): it does not move back");
      Payment after = current;
      after.amount = amount;
      after.currency = currency;
      after.refunded = 0;
      after.disputed = 0;
      return apply(PaymentState::succeeded, after);
    }
    case PaymentChange::fail: {
      if (hasSucceeded(state))
        return verdict(Verdict::rejected, PaymentState::failed, here + ": a failure does not move it back");
      Payment after = current;
      after.amount = amount;
      after.currency = currency;
      return apply(PaymentState::failed, after);
    }
    case PaymentChange::refund: {
      if (!known || !hasSucceeded(state))
        return verdict(Verdict::waitForPayment, PaymentState::refunded,
                       known ? here + ": a refund needs its success" : "unknown payment");
      auto target = current.refunded + amount >= current.amount ? PaymentState::refunded
                                                                 : PaymentState::partiallyRefunded;
      if (state == PaymentState::refunded || state == PaymentState::disputed)
        return verdict(Verdict::rejected, target, here);
      if (currency != current.currency)
        return verdict(Verdict::rejected, target,
                       "refund in " + currency + " of a payment in " + current.currency);
      if (amount <= 0) return verdict(Verdict::rejected, target, "a refund of nothing");
      if (current.refunded + amount > current.amount)
        return verdict(Verdict::rejected, target,
                       "refund of " + amountText(amount, currency) + " would take refunds to " +
                           amountText(current.refunded + amount, currency) + ", over the payment's " +
                           amountText(current.amount, currency));
      Payment after = current;
      after.refunded += amount;
      return apply(target, after);
    }
    case PaymentChange::dispute: {
      if (!known || !hasSucceeded(state))
        return verdict(Verdict::waitForPayment, PaymentState::disputed,
                       known ? here + ": a dispute needs its success" : "unknown payment");
      if (state == PaymentState::refunded || state == PaymentState::disputed)
        return verdict(Verdict::rejected, PaymentState::disputed, here);
      if (currency != current.currency)
        return verdict(Verdict::rejected, PaymentState::disputed,
                       "dispute in " + currency + " of a payment in " + current.currency);
      if (amount <= 0) return verdict(Verdict::rejected, PaymentState::disputed, "a dispute of nothing");
      if (amount > current.amount - current.refunded)
        return verdict(Verdict::rejected, PaymentState::disputed,
                       "dispute of " + amountText(amount, currency) + " is over the unrefunded " +
                           amountText(current.amount - current.refunded, currency));
      Payment after = current;
      after.disputed += amount;
      return apply(PaymentState::disputed, after);
    }
  }
  return t;
}

}  // namespace qrfleet::payments
