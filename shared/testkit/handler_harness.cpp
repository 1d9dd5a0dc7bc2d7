#include "qrfleet/testkit/handler_harness.h"

#include <cstdlib>
#include <iostream>

#include "qrfleet/event_id.h"
#include "qrfleet/runtime/migration_runner.h"
#include "qrfleet/runtime/runtime_settings.h"

namespace qrfleet::testkit {

namespace {
EnvConfig::Lookup overlay(std::map<std::string, std::string> env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it != env.end()) return it->second;
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}
// The service's options and the runtime's (a handler factory may read INSTANCE_ID, say).
std::vector<ConfigOption> optionsOf(const ServiceDefinition& def) {
  auto out = RuntimeSettings::options(!def.redisPrefix.empty());
  out.insert(out.end(), def.options.begin(), def.options.end());
  return out;
}
}  // namespace

HandlerHarness::HandlerHarness(ServiceDefinition definition, std::string databaseUrl,
                               std::map<std::string, std::string> env)
    : definition_(std::move(definition)),
      pg_(std::move(databaseUrl)),
      config_(optionsOf(definition_), overlay(std::move(env))),
      log_(definition_.name, LogLevel::warn, std::cerr),
      metrics_(definition_.name, "testkit"),
      outside_("", definition_.redisPrefix, metrics_) {
  {
    // A fresh schema: each harness sees only what its own runs write.
    pqxx::nontransaction tx(pg_.get());
    tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(definition_.postgresSchema) + " CASCADE");
  }
  MigrationRunner(definition_.postgresSchema, definition_.migrations).apply(pg_.get());
  ServiceContext ctx{definition_, config_, log_, metrics_, outside_};
  if (definition_.makeShared) ctx.shared = (shared_ = definition_.makeShared(ctx)).get();
  handler_ = definition_.makeHandler(ctx);
  config_.finish();
  if (!handler_) throw std::logic_error(definition_.name + ": makeHandler made no handler");
  routes_ = std::make_unique<RouteTable>(definition_.routes);
  for (const auto& r : definition_.routes)
    if (!r.fits(*handler_)) throw std::logic_error("the route of " + r.topic + " names another handler class");
}

HandlerHarness::~HandlerHarness() = default;

ConsumedEvent HandlerHarness::event(const std::string& topic, const std::string& key, Envelope envelope, int partition) {
  TopicPartition tp{topic, partition};
  ConsumedEvent e;
  e.source = tp;
  e.offset = nextOffset_[tp]++;
  e.key = key;
  e.kafkaTimestampMs = envelope.timestampMs;
  if (e.kafkaTimestampMs == 0) e.kafkaTimestampMs = 1;
  e.envelope = std::move(envelope);
  if (e.envelope.eventId.empty()) e.envelope.eventId = randomUuid();
  return e;
}

std::vector<std::pair<const ConsumedEvent*, RejectReason>> HandlerHarness::run(
    const std::vector<ConsumedEvent>& events, const std::function<void(RecordingEffects&)>& check, HarnessOptions options) {
  std::vector<std::pair<const ConsumedEvent*, RejectReason>> refused;
  ConsumedBatch batch;
  for (const auto& e : events) {
    if (!routes_->handles(e.source.topic, e.envelope.eventType)) {
      refused.emplace_back(&e, RejectReason::unknownEventType);
    } else if (!routes_->supports(e.source.topic, e.envelope.eventType, e.envelope.version)) {
      refused.emplace_back(&e, RejectReason::unsupportedVersion);
    } else {
      batch.events.push_back(e);
      batch.eventMessages.push_back(nullptr);
    }
  }
  routes_->group(batch);
  pqxx::work txn(pg_.get());
  RecordingEffects fx(txn, definition_.redisPrefix, options.replaying, options.outside);
  if (!batch.events.empty()) routes_->dispatch(*handler_, batch.events, fx);
  if (check) check(fx);
  txn.abort();
  return refused;
}

}  // namespace qrfleet::testkit
