#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/outside/outside_kit.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/runtime/route_table.h"
#include "qrfleet/service_definition.h"
#include "qrfleet/testkit/recording_effects.h"

namespace qrfleet::testkit {

struct HarnessOptions {
  bool replaying = false;
  RecordingEffects::OutsideAnswer outside;  // default: make the steps' own calls
};

// Runs a worker's handler in-process for a unit test: the service's own
// definition (routes, options, handler factory, migrations) against a real
// Postgres, each run inside a transaction that is rolled back, with a
// RecordingEffects and no Kafka. Events go through the route table as in the
// worker: unknown types and unsupported versions are refused the same way.
// The service's schema is dropped and migrated afresh: point it at a test
// database (scripts/test's stack), never at one that matters.
class HandlerHarness {
 public:
  // `env`: the service's options (anything else comes from the process environment).
  HandlerHarness(ServiceDefinition definition, std::string databaseUrl, std::map<std::string, std::string> env = {});
  ~HandlerHarness();

  // A consumed event on the route of `topic` (offsets count up per partition).
  ConsumedEvent event(const std::string& topic, const std::string& key, Envelope envelope, int partition = 0);

  // Applies the events as one batch; `check` looks at the outcome (SQL state
  // through effects.sql(), recorded effects) before the transaction rolls back.
  // Events the routes refuse are in the returned list with their reason.
  std::vector<std::pair<const ConsumedEvent*, RejectReason>> run(
      const std::vector<ConsumedEvent>& events, const std::function<void(RecordingEffects&)>& check,
      HarnessOptions options = {});

  const ServiceDefinition& definition() const { return definition_; }
  BatchHandler& handler() { return *handler_; }

 private:
  ServiceDefinition definition_;
  PostgresConnection pg_;
  EnvConfig config_;
  JsonLogger log_;
  RuntimeMetrics metrics_;
  OutsideKit outside_;
  std::shared_ptr<void> shared_;  // what the handler shares with other lanes' (none here)
  std::unique_ptr<BatchHandler> handler_;
  std::unique_ptr<RouteTable> routes_;
  std::map<TopicPartition, std::int64_t> nextOffset_;
};

}  // namespace qrfleet::testkit
