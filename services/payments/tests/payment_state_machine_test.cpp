#include <doctest/doctest.h>

#include <vector>

#include "payment_state_machine.h"

using namespace qrfleet::payments;
using Verdict = PaymentTransition::Verdict;

namespace {
Payment paymentIn(PaymentState s, std::int64_t amount = 1000, std::int64_t refunded = 0) {
  Payment p;
  p.state = s;
  p.amount = amount;
  p.currency = "EUR";
  p.refunded = refunded;
  return p;
}

const std::vector<PaymentState> kAll = {PaymentState::pending,           PaymentState::succeeded,
                                        PaymentState::failed,            PaymentState::partiallyRefunded,
                                        PaymentState::refunded,          PaymentState::disputed};
}  // namespace

TEST_CASE("state names round-trip") {
  for (auto s : kAll) CHECK(parseState(stateName(s)) == s);
  CHECK_FALSE(parseState("settled").has_value());
  CHECK(stateName(PaymentState::partiallyRefunded) == "partially_refunded");
}

TEST_CASE("an unknown payment: a success or failure creates it, a refund or dispute waits for it") {
  auto s = decidePaymentTransition(nullptr, PaymentChange::succeed, 1000, "EUR");
  CHECK(s.verdict == Verdict::applied);
  CHECK_FALSE(s.from.has_value());
  CHECK(s.after.state == PaymentState::succeeded);
  CHECK(s.after.amount == 1000);
  CHECK(s.after.currency == "EUR");
  auto f = decidePaymentTransition(nullptr, PaymentChange::fail, 1000, "EUR");
  CHECK(f.verdict == Verdict::applied);
  CHECK(f.after.state == PaymentState::failed);
  for (auto change : {PaymentChange::refund, PaymentChange::dispute}) {
    auto t = decidePaymentTransition(nullptr, change, 100, "EUR");
    CHECK(t.verdict == Verdict::waitForPayment);
    CHECK(t.reason == "unknown payment");
  }
}

TEST_CASE("every state against every change") {
  struct Expect {
    PaymentState from;
    PaymentChange change;
    Verdict verdict;
    PaymentState after;
  };
  // A refund of 400 of 1000 (none refunded before, but for partially_refunded: 300).
  const std::vector<Expect> table = {
      {PaymentState::pending, PaymentChange::succeed, Verdict::applied, PaymentState::succeeded},
      {PaymentState::pending, PaymentChange::fail, Verdict::applied, PaymentState::failed},
      {PaymentState::pending, PaymentChange::refund, Verdict::waitForPayment, PaymentState::pending},
      {PaymentState::pending, PaymentChange::dispute, Verdict::waitForPayment, PaymentState::pending},
      {PaymentState::failed, PaymentChange::succeed, Verdict::applied, PaymentState::succeeded},
      {PaymentState::failed, PaymentChange::fail, Verdict::applied, PaymentState::failed},
      {PaymentState::failed, PaymentChange::refund, Verdict::waitForPayment, PaymentState::failed},
      {PaymentState::failed, PaymentChange::dispute, Verdict::waitForPayment, PaymentState::failed},
      {PaymentState::succeeded, PaymentChange::succeed, Verdict::duplicateObject, PaymentState::succeeded},
      {PaymentState::succeeded, PaymentChange::fail, Verdict::rejected, PaymentState::succeeded},
      {PaymentState::succeeded, PaymentChange::refund, Verdict::applied, PaymentState::partiallyRefunded},
      {PaymentState::succeeded, PaymentChange::dispute, Verdict::applied, PaymentState::disputed},
      {PaymentState::partiallyRefunded, PaymentChange::succeed, Verdict::duplicateObject,
       PaymentState::partiallyRefunded},
      {PaymentState::partiallyRefunded, PaymentChange::fail, Verdict::rejected, PaymentState::partiallyRefunded},
      {PaymentState::partiallyRefunded, PaymentChange::refund, Verdict::applied, PaymentState::partiallyRefunded},
      {PaymentState::partiallyRefunded, PaymentChange::dispute, Verdict::applied, PaymentState::disputed},
      {PaymentState::refunded, PaymentChange::succeed, Verdict::duplicateObject, PaymentState::refunded},
      {PaymentState::refunded, PaymentChange::fail, Verdict::rejected, PaymentState::refunded},
      {PaymentState::refunded, PaymentChange::refund, Verdict::rejected, PaymentState::refunded},
      {PaymentState::refunded, PaymentChange::dispute, Verdict::rejected, PaymentState::refunded},
      {PaymentState::disputed, PaymentChange::succeed, Verdict::duplicateObject, PaymentState::disputed},
      {PaymentState::disputed, PaymentChange::fail, Verdict::rejected, PaymentState::disputed},
      {PaymentState::disputed, PaymentChange::refund, Verdict::rejected, PaymentState::disputed},
      {PaymentState::disputed, PaymentChange::dispute, Verdict::rejected, PaymentState::disputed},
  };
  CHECK(table.size() == kAll.size() * 4);
  for (const auto& x : table) {
    CAPTURE(stateName(x.from));
    CAPTURE(static_cast<int>(x.change));
    auto known = paymentIn(x.from, 1000, x.from == PaymentState::partiallyRefunded  ? 300
                                         : x.from == PaymentState::refunded ? 1000
                                                                            : 0);
    auto t = decidePaymentTransition(&known, x.change, 400, "EUR");
    CHECK(t.verdict == x.verdict);
    CHECK(t.after.state == x.after);
    CHECK(t.from == x.from);
    if (t.verdict != Verdict::applied) {
      CHECK_FALSE(t.reason.empty());
      CHECK(t.after.refunded == known.refunded);  // nothing moved
      CHECK(t.after.disputed == known.disputed);
    }
  }
}

TEST_CASE("refunds add up to refunded; one over the amount is rejected and changes nothing") {
  auto p = paymentIn(PaymentState::succeeded, 1000);
  auto first = decidePaymentTransition(&p, PaymentChange::refund, 600, "EUR");
  REQUIRE(first.verdict == Verdict::applied);
  CHECK(first.target == PaymentState::partiallyRefunded);
  CHECK(first.after.refunded == 600);
  auto over = decidePaymentTransition(&first.after, PaymentChange::refund, 401, "EUR");
  CHECK(over.verdict == Verdict::rejected);
  CHECK(over.after.refunded == 600);
  CHECK(over.after.state == PaymentState::partiallyRefunded);
  CHECK(over.reason.find("over the payment's 1000 EUR") != std::string::npos);
  auto rest = decidePaymentTransition(&first.after, PaymentChange::refund, 400, "EUR");
  REQUIRE(rest.verdict == Verdict::applied);
  CHECK(rest.target == PaymentState::refunded);
  CHECK(rest.after.refunded == 1000);
  // A single refund of the whole amount.
  CHECK(decidePaymentTransition(&p, PaymentChange::refund, 1000, "EUR").after.state == PaymentState::refunded);
  CHECK(decidePaymentTransition(&p, PaymentChange::refund, 1001, "EUR").verdict == Verdict::rejected);
}

TEST_CASE("refunds and disputes in another currency, or of nothing, are rejected") {
  auto p = paymentIn(PaymentState::succeeded, 1000);
  CHECK(decidePaymentTransition(&p, PaymentChange::refund, 100, "USD").verdict == Verdict::rejected);
  CHECK(decidePaymentTransition(&p, PaymentChange::dispute, 100, "USD").verdict == Verdict::rejected);
  CHECK(decidePaymentTransition(&p, PaymentChange::refund, 0, "EUR").verdict == Verdict::rejected);
}

TEST_CASE("a dispute takes at most the unrefunded amount") {
  auto p = paymentIn(PaymentState::partiallyRefunded, 1000, 300);
  CHECK(decidePaymentTransition(&p, PaymentChange::dispute, 701, "EUR").verdict == Verdict::rejected);
  auto d = decidePaymentTransition(&p, PaymentChange::dispute, 700, "EUR");
  CHECK(d.verdict == Verdict::applied);
  CHECK(d.after.disputed == 700);
  CHECK(d.after.refunded == 300);
}

TEST_CASE("a retried charge succeeds with the success's amount") {
  auto failed = paymentIn(PaymentState::failed, 999);
  auto t = decidePaymentTransition(&failed, PaymentChange::succeed, 1000, "EUR");
  CHECK(t.verdict == Verdict::applied);
  CHECK(t.from == PaymentState::failed);
  CHECK(t.after.amount == 1000);
}
