#pragma once
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "qrfleet/batch_handler.h"
#include "qrfleet/config.h"
#include "qrfleet/embedded_file.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/outside/outside_kit.h"
#include "qrfleet/periodic_task.h"
#include "qrfleet/route.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

struct ServiceDefinition;

// What a service's handler factory gets: its configuration (read its own
// options here, before the runtime validates the whole environment), the
// logger, the metrics registry, and the clients for outside calls.
struct ServiceContext {
  const ServiceDefinition& service;  // name, Redis prefix, routes: stated once, in the definition
  EnvConfig& config;
  JsonLogger& log;
  RuntimeMetrics& metrics;
  OutsideKit& outside;
  // What every lane's handler shares (ServiceDefinition::shareAcrossLanes), once made.
  void* shared = nullptr;
};

// The declaration of a worker: everything the runtime needs to run it.
// A worker's main() is `return qrfleet::runService(argc, argv, definition());`.
struct ServiceDefinition {
  std::string name;               // scan-analytics (binary: qrfleet-scan-analytics)
  std::string description;        // one line for --help
  std::string consumerGroup;      // Kafka group, also the offset-store key
  // Per topic: the event types and versions read, the handler member that
  // takes them, the failure policy (see Route). The runtime subscribes to
  // these topics (and their retry topics) and dispatches from this table.
  std::vector<Route> routes;
  std::string postgresSchema;     // the one schema this service owns
  std::string redisPrefix;        // the one key prefix this service owns
  std::span<const EmbeddedFile> migrations;
  // What `qrfleet replay --verify` leaves out because it is not a function of
  // the events: columns filled at apply time ("table.column", e.g. a
  // received_at DEFAULT now()), and Redis keys (globs after "<prefix>:") whose
  // content depends on how partitions interleaved (e.g. capped live feeds).
  std::vector<std::string> volatileColumns;
  std::vector<std::string> interleavingDependentKeys;
  // Tables the events do not make, which a replay leaves as they are and does
  // not compare: what an operator loads (message templates), and the audit of
  // what the service did in the world and when (each call to a provider: a
  // replay makes none, so it could not write them again).
  std::vector<std::string> keptTables = {};
  std::vector<ConfigOption> options;  // the service's own variables
  // Concurrency caps the service knows its outside-call targets need, e.g. a
  // step that is mostly CPU work ("qr-generation": two per core, more only
  // contend). OUTSIDE_TARGET_LIMITS overrides a target named here.
  std::map<std::string, int> outsideTargetLimits = {};
  // One handler per apply lane, made at start (read options here).
  std::function<std::unique_ptr<BatchHandler>(ServiceContext&)> makeHandler;
  // Optional: what every lane's handler shares, made once per process before
  // the first handler (provider clients whose circuits and pools must see all
  // of the worker's traffic, billing clients). Set with shareAcrossLanes().
  std::function<std::shared_ptr<void>(ServiceContext&)> makeShared;
  // Optional: work on a clock (see PeriodicTask, OutboxTask), made once per process.
  std::function<std::vector<PeriodicTask>(ServiceContext&)> makeTasks;

  // Sets makeShared and makeHandler together: `makeShared(ctx)` returns a
  // std::unique_ptr<Shared>, made once; `makeHandler(ctx, Shared&)` makes
  // each lane's handler with it.
  template <class Shared, class MakeShared, class MakeHandler>
  void shareAcrossLanes(MakeShared makeSharedState, MakeHandler makeHandlerWith) {
    makeShared = [makeSharedState](ServiceContext& ctx) -> std::shared_ptr<void> {
      return std::shared_ptr<Shared>(makeSharedState(ctx));
    };
    makeHandler = [makeHandlerWith](ServiceContext& ctx) -> std::unique_ptr<BatchHandler> {
      return makeHandlerWith(ctx, *static_cast<Shared*>(ctx.shared));
    };
  }
};

// Parses --help/--version/--migrate and the replay steps (--describe,
// --state-digest, --reset-state [--from T], --replay; see `qrfleet replay`), reads and validates the environment,
// applies migrations, then runs the consume loop until SIGTERM/SIGINT.
// Returns the process exit code (0 after a clean shutdown, 2 on bad configuration).
int runService(int argc, char** argv, const ServiceDefinition& definition);

// The routes' topics, in declaration order.
std::vector<std::string> topicsOf(const ServiceDefinition& definition);
// The retry topics its routes write and consume (a route with failures.retryTopic).
std::vector<std::string> retryTopicsOf(const ServiceDefinition& definition);

}  // namespace qrfleet
