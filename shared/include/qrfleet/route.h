#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>
#include <variant>
#include <vector>

#include "qrfleet/batch_handler.h"

namespace qrfleet {

// What the runtime does when a route's events fail, declared with the route
// (like Karafka's routing) instead of coded in handlers.
struct FailurePolicy {
  // Attempts of an event that makes its handler throw, run on its own, before
  // it is dead-lettered as handler-rejected. 0: HANDLER_MAX_ATTEMPTS.
  int handlerAttempts = 0;
  // Effects::retryLater() sends the event through `<topic>-retry` (which the
  // worker then consumes too); without it retryLater() is a programming error.
  bool retryTopic = false;
  // Attempts in all, and the waits before attempts 2, 3, ... (the last one
  // repeats). 0 / empty: RETRY_TOPIC_ATTEMPTS / RETRY_TOPIC_DELAYS_MS.
  int retryAttempts = 0;
  std::vector<std::chrono::milliseconds> retryDelays;
};

// An event type a route reads, and its versions.
struct RoutedType {
  std::string type;
  std::vector<int> versions;
};

// One topic of a worker: the key its messages carry (the payload field of
// schemas/topics.yaml), the event types and versions read from it, the member
// of the service's handler that takes them, and the failure policy. Events of
// other types are dead-lettered as unknown-event-type, other versions as
// unsupported-event-version, before any handler sees them. A topic has one
// route, so a handler gets its topic's events in offset order per partition.
struct Route {
  std::string topic;
  std::string key;
  std::vector<RoutedType> types;
  FailurePolicy failures;
  // The route's events (and its retry topic's) are applied on an apply lane
  // of their own, beside the APPLY_LANES shared ones, so they never queue
  // behind another route's backlog: control events (a cancellation that must
  // overtake the work it stops), urgent messages next to bulk ones.
  bool ownLane = false;
  Route onOwnLane() && {
    ownLane = true;
    return std::move(*this);
  }
  // Calls the handler's member with the route's events of a batch.
  std::function<void(BatchHandler&, std::span<const ConsumedEvent>, Effects&)> apply;
  // Whether the service's handler is of the class the member belongs to (checked at start).
  std::function<bool(const BatchHandler&)> fits;
  // A route of one event type: its typed decode of a payload, made by the
  // consumer thread as a message is polled (throws EventRejected). The event
  // waits on its lane's queue as that typed value, the payload's JSON tree
  // freed, and reaches the member without a copy: scan-analytics' worker CPU
  // went from 36-37 to 32-33 us a scan (scripts/bench-like bulk apply, two
  // runs each). Empty for routes whose member takes ConsumedEvents.
  std::function<std::shared_ptr<const void>(const Envelope&)> decode;
};

// The event types an event class decodes, with the versions it supports:
// Event::type, or Event::types() for a class that stands for several
// (PaymentEvent), each with the versions Event::supports().
template <class Event>
std::vector<RoutedType> routedTypes() {
  std::vector<int> versions;
  for (int v = 1; v <= 64; ++v)
    if (Event::supports(v)) versions.push_back(v);
  std::vector<RoutedType> out;
  if constexpr (requires { Event::types(); }) {
    for (auto t : Event::types()) out.push_back({std::string(t), versions});
  } else {
    out.push_back({std::string(Event::type), versions});
  }
  return out;
}

namespace detail {

template <class Event>
bool decodesType(const std::string& type) {
  if constexpr (requires { Event::types(); }) {
    const auto& all = Event::types();
    return std::find(all.begin(), all.end(), type) != all.end();
  } else {
    return type == Event::type;
  }
}

// How a route's payload is decoded: one event class (Event::fromEnvelope), or
// a std::variant of several, holding the one whose type the envelope names.
template <class Payload>
struct PayloadCodec {
  static std::vector<RoutedType> types() { return routedTypes<Payload>(); }
  static Payload decode(const Envelope& e) { return Payload::fromEnvelope(e); }
};

template <class... Events>
struct PayloadCodec<std::variant<Events...>> {
  static std::vector<RoutedType> types() {
    std::vector<RoutedType> out;
    (
        [&] {
          for (auto& t : routedTypes<Events>()) out.push_back(std::move(t));
        }(),
        ...);
    return out;
  }
  static std::variant<Events...> decode(const Envelope& e) {
    std::optional<std::variant<Events...>> out;
    static_cast<void>(
        ((decodesType<Events>(e.eventType) && (out.emplace(std::in_place_type<Events>, Events::fromEnvelope(e)), true)) ||
         ...));
    if (!out) throw EventRejected(RejectReason::unknownEventType, "no decoder for event type " + e.eventType);
    return std::move(*out);
  }
};

// Calls `member` with a batch's events decoded: the consumer's decode where
// it made one (handed over without a copy), else decoded here, dead-lettering
// those that break the schema (a test's events, a handler kit's).
template <class Payload, class Member>
void applyDecoded(std::span<const ConsumedEvent> events, Effects& fx, Member&& member) {
  std::vector<Decoded<Payload>> decoded;
  decoded.reserve(events.size());
  // Sized once, so `decoded` can refer into it; empty, and unallocated, on the consumer's path.
  std::vector<Payload> decodedHere;
  decodedHere.reserve(static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [](const ConsumedEvent& e) { return !e.typed; })));
  for (const auto& e : events) {
    if (e.typed) {
      decoded.push_back({&e, *static_cast<const Payload*>(e.typed.get())});
      continue;
    }
    try {
      decoded.push_back({&e, decodedHere.emplace_back(PayloadCodec<Payload>::decode(e.envelope))});
    } catch (const EventRejected& err) {
      fx.reject(e, err.reason(), err.what());
    }
  }
  if (!decoded.empty()) member(std::span<const Decoded<Payload>>(decoded));
}

}  // namespace detail

// Calls `fn` with each event; an EventRejected it throws (a domain rule the
// event breaks) dead-letters that event alone and the rest go on.
template <class Payload, class Fn>
void forEachEvent(std::span<const Decoded<Payload>> events, Effects& fx, Fn&& fn) {
  for (const auto& e : events) {
    try {
      fn(e);
    } catch (const EventRejected& err) {
      fx.reject(*e.event, err.reason(), err.what());
    }
  }
}

namespace detail {

template <class H, class Payload>
Route typedRoute(std::string topic, std::string key, FailurePolicy failures,
                 std::function<void(H&, std::span<const Decoded<Payload>>, Effects&)> call) {
  Route r{std::move(topic), std::move(key), PayloadCodec<Payload>::types(), std::move(failures), false, {}, {}, {}};
  r.decode = [](const Envelope& e) -> std::shared_ptr<const void> {
    return std::make_shared<const Payload>(PayloadCodec<Payload>::decode(e));
  };
  r.apply = [call = std::move(call)](BatchHandler& h, std::span<const ConsumedEvent> events, Effects& fx) {
    applyDecoded<Payload>(events, fx, [&](std::span<const Decoded<Payload>> d) { call(static_cast<H&>(h), d, fx); });
  };
  r.fits = [](const BatchHandler& h) { return dynamic_cast<const H*>(&h) != nullptr; };
  return r;
}

}  // namespace detail

// A typed route: the consumer decodes each payload as it polls the message
// (dead-lettering those that break the schema) and the member gets the batch's
// events typed, in offset order per partition. `Payload` is one event class,
// or a std::variant of the event classes a topic carries, e.g.
//   using BookingEvent = std::variant<events::BookingCreated, events::BookingCancelled>;
//   void onBookings(std::span<const Decoded<BookingEvent>> events, Effects& fx);
//   route("bookings", "bookingId", &LocationHandler::onBookings)
template <class H, class Payload>
Route route(std::string topic, std::string key, void (H::*member)(std::span<const Decoded<Payload>>, Effects&),
            FailurePolicy failures = {}) {
  return detail::typedRoute<H, Payload>(
      std::move(topic), std::move(key), std::move(failures),
      [member](H& h, std::span<const Decoded<Payload>> events, Effects& fx) { (h.*member)(events, fx); });
}

// A typed route whose member takes one event at a time: an EventRejected it
// throws (a domain rule the event breaks) dead-letters that event alone and
// the batch goes on. Use it where events of a batch are decided each on their
// own; a member that reads or writes for the whole batch at once takes the span.
template <class H, class Payload>
Route route(std::string topic, std::string key, void (H::*member)(const Decoded<Payload>&, Effects&),
            FailurePolicy failures = {}) {
  return detail::typedRoute<H, Payload>(std::move(topic), std::move(key), std::move(failures),
                                        [member](H& h, std::span<const Decoded<Payload>> events, Effects& fx) {
                                          forEachEvent(events, fx, [&](const Decoded<Payload>& e) { (h.*member)(e, fx); });
                                        });
}

// Narrows a route to some of its payload's event types: a topic that carries
// only requests, routed to the member that also takes contact updates from
// another topic. The others are dead-lettered as unknown-event-type.
template <class... Events>
Route only(Route r) {
  std::vector<RoutedType> kept;
  (
      [&] {
        for (auto& t : routedTypes<Events>()) kept.push_back(std::move(t));
      }(),
      ...);
  r.types = std::move(kept);
  return r;
}

// An untyped route: the member takes the events as they came, envelope and
// JSON payload, for the listed types (a test worker's steps; a payload with no
// event class).
template <class H>
Route route(std::string topic, std::string key, std::vector<RoutedType> types,
            void (H::*member)(std::span<const ConsumedEvent>, Effects&), FailurePolicy failures = {}) {
  Route r{std::move(topic), std::move(key), std::move(types), std::move(failures), false, {}, {}, {}};
  r.apply = [member](BatchHandler& h, std::span<const ConsumedEvent> events, Effects& fx) {
    (static_cast<H&>(h).*member)(events, fx);
  };
  r.fits = [](const BatchHandler& h) { return dynamic_cast<const H*>(&h) != nullptr; };
  return r;
}

}  // namespace qrfleet
