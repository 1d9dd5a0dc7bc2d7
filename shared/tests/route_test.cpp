// Typed routes without Kafka: what a route reads, how a payload is decoded
// into one of a topic's event classes, and what reaches the member.
#include <doctest/doctest.h>

#include <stdexcept>

#include "qrfleet/route.h"

using namespace qrfleet;

namespace {
struct Opened {
  static constexpr std::string_view type = "test.opened";
  static bool supports(int version) { return version == 1 || version == 2; }
  int n = 0;
  static Opened fromEnvelope(const Envelope& e) {
    if (!e.payload.contains("n")) throw EventRejected(RejectReason::schemaViolation, "test.opened: field 'n' is required");
    return {e.payload.at("n").get<int>()};
  }
};
struct Closed {
  static constexpr std::string_view type = "test.closed";
  static bool supports(int version) { return version == 1; }
  std::string why;
  static Closed fromEnvelope(const Envelope& e) { return {e.payload.value("why", "")}; }
};
using Lifecycle = std::variant<Opened, Closed>;

// Only what a route may do with a batch here: dead-letter an event.
class RejectRecorder : public Effects {
 public:
  std::vector<std::pair<std::int64_t, RejectReason>> rejected;
  void reject(const ConsumedEvent& event, RejectReason reason, std::string_view) override {
    rejected.emplace_back(event.offset, reason);
  }
  pqxx::work& sql() override { throw std::logic_error("no SQL here"); }
  RedisWriter redis(const ConsumedEvent&) override { return RedisWriter(nullptr); }
  RedisClient& redisReader() override { throw std::logic_error("no Redis here"); }
  bool replaying() const override { return false; }
  void emit(const std::string&, const std::string&, const Envelope&) override {}
  void emitOnce(const std::string&, const std::string&, const Envelope&) override {}
  void retryLater(const ConsumedEvent&, std::string_view, std::chrono::milliseconds) override {}
  std::vector<StepOutcome> callOutside(std::span<const OutsideStep>) override { return {}; }
  bool lastAttempt(const ConsumedEvent&) const override { return true; }
  void duplicate(const ConsumedEvent&) override {}
};

struct LifecycleHandler : BatchHandler {
  std::vector<std::string> seen;  // "<offset>:opened:<n>" or "<offset>:closed:<why>"
  std::string describe(const Decoded<Lifecycle>& e) {
    auto at = std::to_string(e.event->offset) + ":";
    if (const auto* o = std::get_if<Opened>(&e.data)) return at + "opened:" + std::to_string(o->n);
    return at + "closed:" + std::get<Closed>(e.data).why;
  }
  void onBatch(std::span<const Decoded<Lifecycle>> events, Effects&) {
    for (const auto& e : events) seen.push_back(describe(e));
  }
  void onOne(const Decoded<Lifecycle>& e, Effects&) {
    if (const auto* o = std::get_if<Opened>(&e.data); o && o->n == 13)
      throw EventRejected(RejectReason::handlerRejected, "13 is not opened here");
    seen.push_back(describe(e));
  }
};

ConsumedEvent event(std::int64_t offset, std::string type, nlohmann::json payload) {
  ConsumedEvent e;
  e.source = {"lifecycle", 0};
  e.offset = offset;
  e.envelope.eventType = std::move(type);
  e.envelope.payload = std::move(payload);
  return e;
}
}  // namespace

TEST_CASE("a variant route reads each alternative's types and versions; only<> narrows them") {
  auto r = route("lifecycle", "id", &LifecycleHandler::onBatch);
  REQUIRE(r.types.size() == 2);
  CHECK(r.types[0].type == "test.opened");
  CHECK(r.types[0].versions == std::vector<int>{1, 2});
  CHECK(r.types[1].type == "test.closed");
  CHECK(r.types[1].versions == std::vector<int>{1});
  auto narrowed = only<Closed>(route("lifecycle", "id", &LifecycleHandler::onBatch));
  REQUIRE(narrowed.types.size() == 1);
  CHECK(narrowed.types[0].type == "test.closed");
}

TEST_CASE("the consumer's decode holds the alternative the envelope names; an unknown type is refused") {
  auto r = route("lifecycle", "id", &LifecycleHandler::onBatch);
  REQUIRE(r.decode);
  auto closed = r.decode(event(0, "test.closed", {{"why", "done"}}).envelope);
  CHECK(std::get<Closed>(*static_cast<const Lifecycle*>(closed.get())).why == "done");
  auto opened = r.decode(event(0, "test.opened", {{"n", 7}}).envelope);
  CHECK(std::get<Opened>(*static_cast<const Lifecycle*>(opened.get())).n == 7);
  try {
    r.decode(event(0, "test.other", {}).envelope);
    FAIL("decoded an unknown type");
  } catch (const EventRejected& e) {
    CHECK(e.reason() == RejectReason::unknownEventType);
  }
  CHECK_THROWS_AS(r.decode(event(0, "test.opened", {}).envelope), EventRejected);
}

TEST_CASE("a batch member gets its events typed in offset order; one that breaks its schema is dead-lettered") {
  auto r = route("lifecycle", "id", &LifecycleHandler::onBatch);
  std::vector<ConsumedEvent> batch = {event(0, "test.opened", {{"n", 1}}), event(1, "test.opened", {}),
                                      event(2, "test.closed", {{"why", "paid"}})};
  // The consumer decoded the last one already: it is handed over as it is.
  batch[2].typed = r.decode(batch[2].envelope);
  LifecycleHandler h;
  RejectRecorder fx;
  r.apply(h, batch, fx);
  CHECK(h.seen == std::vector<std::string>{"0:opened:1", "2:closed:paid"});
  REQUIRE(fx.rejected.size() == 1);
  CHECK(fx.rejected[0] == std::pair<std::int64_t, RejectReason>{1, RejectReason::schemaViolation});
}

TEST_CASE("a per-event member's EventRejected dead-letters that event alone and the batch goes on") {
  auto r = route("lifecycle", "id", &LifecycleHandler::onOne);
  std::vector<ConsumedEvent> batch = {event(0, "test.opened", {{"n", 12}}), event(1, "test.opened", {{"n", 13}}),
                                      event(2, "test.closed", {{"why", "late"}})};
  for (auto& e : batch) e.typed = r.decode(e.envelope);
  LifecycleHandler h;
  RejectRecorder fx;
  r.apply(h, batch, fx);
  CHECK(h.seen == std::vector<std::string>{"0:opened:12", "2:closed:late"});
  REQUIRE(fx.rejected.size() == 1);
  CHECK(fx.rejected[0] == std::pair<std::int64_t, RejectReason>{1, RejectReason::handlerRejected});
  CHECK(r.fits(h));
}
