#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <typeinfo>
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

template <class Event>
RoutedType routedType() {
  RoutedType t{std::string(Event::type), {}};
  for (int v = 1; v <= 64; ++v)
    if (Event::supports(v)) t.versions.push_back(v);
  return t;
}

// A route of one event type: the runtime decodes each payload with
// Event::fromEnvelope (dead-lettering those that break the schema) and hands
// the member typed events.
template <class H, class Event>
Route route(std::string topic, std::string key, void (H::*member)(std::span<const Decoded<Event>>, Effects&),
            FailurePolicy failures = {}) {
  Route r{std::move(topic), std::move(key), {routedType<Event>()}, std::move(failures), false, {}, {}, {}};
  r.decode = [](const Envelope& e) -> std::shared_ptr<const void> {
    return std::make_shared<const Event>(Event::fromEnvelope(e));
  };
  r.apply = [member](BatchHandler& h, std::span<const ConsumedEvent> events, Effects& fx) {
    std::vector<Decoded<Event>> decoded;
    decoded.reserve(events.size());
    // Events the consumer did not decode (a test's, a handler kit's); sized
    // once, so `decoded` can refer into it. Empty, and unallocated, on the
    // consumer's path.
    std::vector<Event> decodedHere;
    decodedHere.reserve(static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [](const ConsumedEvent& e) { return !e.typed; })));
    for (const auto& e : events) {
      if (e.typed) {
        decoded.push_back({&e, *static_cast<const Event*>(e.typed.get())});
        continue;
      }
      try {
        decoded.push_back({&e, decodedHere.emplace_back(Event::fromEnvelope(e.envelope))});
      } catch (const EventRejected& err) {
        fx.reject(e, err.reason(), err.what());
      }
    }
    if (!decoded.empty()) (static_cast<H&>(h).*member)(decoded, fx);
  };
  r.fits = [](const BatchHandler& h) { return dynamic_cast<const H*>(&h) != nullptr; };
  return r;
}

// A route of several event types that one member takes together, in offset
// order (a booking's created, accepted and cancelled events).
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
