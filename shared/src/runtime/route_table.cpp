#include "qrfleet/runtime/route_table.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "qrfleet/runtime/retry_schedule.h"

namespace qrfleet {

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& r = routes_[i];
    if (r.topic.empty() || r.types.empty() || !r.apply)
      throw std::invalid_argument("route for topic '" + r.topic + "' needs event types and a handler member");
    if (!byTopic_.emplace(r.topic, i).second) throw std::invalid_argument("topic '" + r.topic + "' is routed twice");
    if (r.failures.retryTopic) byTopic_.emplace(retryTopicOf(r.topic), i);
  }
}

std::size_t RouteTable::indexOf(const std::string& topic) const {
  auto it = byTopic_.find(topic);
  return it == byTopic_.end() ? routes_.size() : it->second;
}

const Route* RouteTable::find(const std::string& topic) const {
  auto i = indexOf(topic);
  return i < routes_.size() ? &routes_[i] : nullptr;
}

bool RouteTable::isRetryTopic(const std::string& topic) const {
  const auto* r = find(topic);
  return r && r->topic != topic;
}

bool RouteTable::handles(const std::string& topic, const std::string& eventType) const {
  const auto* r = find(topic);
  return r && std::any_of(r->types.begin(), r->types.end(), [&](const RoutedType& t) { return t.type == eventType; });
}

bool RouteTable::supports(const std::string& topic, const std::string& eventType, int version) const {
  const auto* r = find(topic);
  if (!r) return false;
  for (const auto& t : r->types)
    if (t.type == eventType) return std::find(t.versions.begin(), t.versions.end(), version) != t.versions.end();
  return false;
}

std::vector<std::string> RouteTable::subscriptions() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) out.push_back(r.topic);
  for (const auto& r : routes_)
    if (r.failures.retryTopic) out.push_back(retryTopicOf(r.topic));
  return out;
}

void RouteTable::group(ConsumedBatch& b) const {
  if (routes_.size() < 2 || b.events.size() < 2) return;
  std::vector<std::size_t> route(b.events.size());
  bool sorted = true;
  for (std::size_t i = 0; i < b.events.size(); ++i) {
    route[i] = indexOf(b.events[i].source.topic);
    if (i > 0 && route[i] < route[i - 1]) sorted = false;
  }
  if (sorted) return;
  std::vector<std::size_t> order(b.events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return route[x] < route[y]; });
  std::vector<ConsumedEvent> events;
  std::vector<const RdKafka::Message*> messages;
  events.reserve(order.size());
  messages.reserve(order.size());
  for (auto i : order) {
    events.push_back(std::move(b.events[i]));
    messages.push_back(b.eventMessages[i]);
  }
  b.events = std::move(events);
  b.eventMessages = std::move(messages);
}

void RouteTable::dispatch(BatchHandler& handler, std::span<const ConsumedEvent> events, Effects& fx) const {
  if (routes_.size() == 1) {  // the common case: no lookup per event
    if (!events.empty()) routes_.front().apply(handler, events, fx);
    return;
  }
  std::size_t from = 0;
  while (from < events.size()) {
    auto route = indexOf(events[from].source.topic);
    auto to = from + 1;
    while (to < events.size() && indexOf(events[to].source.topic) == route) ++to;
    if (route >= routes_.size()) throw std::logic_error("an event of unrouted topic " + events[from].source.topic);
    routes_[route].apply(handler, events.subspan(from, to - from), fx);
    from = to;
  }
}

}  // namespace qrfleet
