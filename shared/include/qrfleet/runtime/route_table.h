#pragma once
#include <map>
#include <string>
#include <vector>

#include "qrfleet/runtime/consumed_batch.h"
#include "qrfleet/route.h"

namespace qrfleet {

// The runtime's view of a worker's routes: which topics to subscribe to
// (with their retry topics), what passes decoding, and which member of the
// handler takes which events of a batch.
class RouteTable {
 public:
  // Throws std::invalid_argument for a route without types or member, or a topic routed twice.
  explicit RouteTable(std::vector<Route> routes);

  // The route of a topic or of its retry topic; nullptr if none.
  const Route* find(const std::string& topic) const;
  bool isRetryTopic(const std::string& topic) const;
  bool handles(const std::string& topic, const std::string& eventType) const;
  bool supports(const std::string& topic, const std::string& eventType, int version) const;
  // Every topic to subscribe to: the routes' topics, then their retry topics.
  std::vector<std::string> subscriptions() const;
  const std::vector<Route>& routes() const { return routes_; }

  // Orders a batch's events by route (stable: each partition keeps its order)
  // so that each route's events are one contiguous span.
  void group(ConsumedBatch& batch) const;
  // Calls each route's member with its events of a grouped batch.
  void dispatch(BatchHandler& handler, std::span<const ConsumedEvent> events, Effects& effects) const;

 private:
  std::size_t indexOf(const std::string& topic) const;  // routes_.size() if none
  std::vector<Route> routes_;
  std::map<std::string, std::size_t> byTopic_;  // topic and retry topic -> route index
};

}  // namespace qrfleet
