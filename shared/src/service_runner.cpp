#include <iostream>
#include <sstream>
#include <thread>

#include "qrfleet/backoff.h"
#include "qrfleet/batch_consumer.h"
#include "qrfleet/health_server.h"
#include "qrfleet/migration_runner.h"
#include "qrfleet/postgres_connection.h"
#include "qrfleet/service_definition.h"
#include "qrfleet/shutdown_signal.h"
#include "qrfleet/version.h"

namespace qrfleet {

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<ConfigOption> allOptions(const ServiceDefinition& def) {
  auto options = RuntimeSettings::options();
  // Overrides for blue/green deployments, shadow consumers and tests.
  options.push_back({"KAFKA_GROUP_ID", "consumer group", def.consumerGroup});
  options.push_back({"KAFKA_TOPICS", "topics to consume, comma-separated", joined(def.topics)});
  for (auto& o : KafkaSettings::options()) options.push_back(std::move(o));
  for (const auto& o : def.options) options.push_back(o);
  return options;
}

void usage(const ServiceDefinition& def) {
  std::cout << "qrfleet-" << def.name << " " << kVersion << " - " << def.description << "\n\n"
            << "Usage: qrfleet-" << def.name << " [--migrate] [--help] [--version]\n"
            << "  (no option)  apply migrations, then consume " ;
  for (std::size_t i = 0; i < def.topics.size(); ++i) std::cout << (i ? ", " : "") << def.topics[i];
  std::cout << " as group " << def.consumerGroup << " until SIGTERM\n"
            << "  --migrate    apply the SQL migrations of schema '" << def.postgresSchema << "' and exit\n\n"
            << EnvConfig::helpText(allOptions(def));
}

// Waits for Postgres (a worker may start before its database) and migrates.
bool migrate(const ServiceDefinition& def, const RuntimeSettings& settings, JsonLogger& log,
             const ShutdownSignal& shutdown) {
  Backoff backoff(settings.retryInitial, settings.retryMax);
  while (!shutdown.requested()) {
    try {
      PostgresConnection pg(settings.databaseUrl);
      auto applied = MigrationRunner(def.postgresSchema, def.migrations).apply(pg.get());
      log.info("migrations up to date", {{"schema", def.postgresSchema}, {"applied", applied}});
      return true;
    } catch (const pqxx::broken_connection& e) {
      auto delay = backoff.next();
      log.warn("Postgres unreachable; retrying", {{"error", e.what()}, {"retryInMs", delay.count()}});
      std::this_thread::sleep_for(delay);
    }
  }
  return false;
}

}  // namespace

int runService(int argc, char** argv, const ServiceDefinition& declared) {
  ServiceDefinition def = declared;
  // First: every thread started later inherits the blocked signal mask.
  ShutdownSignal shutdown;
  bool migrateOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(def);
      return 0;
    }
    if (a == "--version") {
      std::cout << "qrfleet-" << def.name << " " << kVersion << "\n";
      return 0;
    }
    if (a == "--migrate") {
      migrateOnly = true;
      continue;
    }
    std::cerr << "qrfleet-" << def.name << ": unknown argument '" << a << "' (see --help)\n";
    return 2;
  }

  EnvConfig config(allOptions(def));
  auto settings = RuntimeSettings::fromConfig(config);
  auto kafka = KafkaSettings::fromConfig(config);
  def.consumerGroup = config.string("KAFKA_GROUP_ID");
  def.topics.clear();
  std::istringstream topics(config.string("KAFKA_TOPICS"));
  for (std::string t; std::getline(topics, t, ',');)
    if (!t.empty()) def.topics.push_back(t);
  JsonLogger log(def.name, parseLogLevel(settings.logLevel), std::cout);
  RuntimeMetrics metrics(def.name, std::string(kVersion));
  ServiceContext context{config, log, metrics};
  std::vector<std::unique_ptr<BatchHandler>> handlers;
  try {
    handlers.push_back(def.makeHandler(context));
    config.finish();
    // One handler per apply lane; the configuration is known good now.
    while (static_cast<int>(handlers.size()) < settings.applyLanes) handlers.push_back(def.makeHandler(context));
  } catch (const ConfigError& e) {
    std::cerr << "qrfleet-" << def.name << ": " << e.what() << "\n";
    return 2;
  }

  try {
    if (!migrate(def, settings, log, shutdown)) return 0;
    if (migrateOnly) return 0;
    BatchConsumer consumer(def, settings, kafka, std::move(handlers), log, metrics, shutdown.flag());
    HealthServer http(settings.metricsPort, {[&] { return metrics.render(); }, [&] { return consumer.healthy(); },
                                             [&] { return consumer.ready(); }});
    log.info("started", {{"version", kVersion}, {"instance", settings.instanceId}, {"group", def.consumerGroup},
                         {"topics", def.topics}, {"metricsPort", http.port()}});
    consumer.run();
    log.info("stopped cleanly");
    return 0;
  } catch (const std::exception& e) {
    log.error("fatal", {{"error", e.what()}});
    std::cerr << "qrfleet-" << def.name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace qrfleet
