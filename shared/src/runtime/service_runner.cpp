#include <iostream>
#include <sstream>
#include <thread>

#include <algorithm>
#include <optional>

#include "qrfleet/runtime/backoff.h"
#include "qrfleet/kafka/kafka_admin.h"
#include "qrfleet/replay/service_state.h"
#include "qrfleet/time_format.h"
#include "qrfleet/runtime/batch_consumer.h"
#include "qrfleet/runtime/health_server.h"
#include "qrfleet/runtime/migration_runner.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/runtime/periodic_task_runner.h"
#include "qrfleet/replay/replay_range.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/service_definition.h"
#include "qrfleet/runtime/shutdown_signal.h"
#include "qrfleet/version.h"

namespace qrfleet {

namespace {

// --reset-state: the group must be idle (Kafka refuses to delete a group with
// members), then tables, Redis keys and offsets go back to the start.
int resetState(const ServiceDefinition& def, const RuntimeSettings& settings, const KafkaSettings& kafka,
               std::optional<std::int64_t> fromMs, JsonLogger& log) {
  KafkaAdmin admin(kafka);
  try {
    admin.deleteGroup(def.consumerGroup);
  } catch (const std::exception& e) {
    std::cerr << "qrfleet-" << def.name << ": consumer group " << def.consumerGroup
              << " is still active; stop every " << def.name
              << " worker first (docker compose stop " << def.name << ", or kubectl scale deployment/" << def.name
              << " --replicas=0). Kafka said: " << e.what() << "\n";
    return 3;
  }
  // From the beginning: offsets -1 (resume at the oldest message); from a time: its offsets.
  auto start = fromMs ? ReplayRange::of(admin, topicsOf(def), fromMs).start : std::map<TopicPartition, std::int64_t>{};
  ServiceState(def, settings.databaseUrl, settings.redisUrl).reset(start);
  log.info("state reset", {{"schema", def.postgresSchema}, {"redisPrefix", def.redisPrefix},
                           {"from", fromMs ? formatRfc3339Millis(*fromMs) : "earliest"}});
  return 0;
}

// --replay: asks for shutdown once the offsets stored with the state reach the
// end offsets that the topics had at start, and every copy in the retry topics
// so far (the replay writes its own: an event that waits for another partition
// in this run) is applied too. Stopping at the topics' ends alone left such an
// event out of the rebuilt state.
class ReplayFinish {
 public:
  ReplayFinish(const ServiceDefinition& def, const RuntimeSettings& settings, const KafkaSettings& kafka,
               ShutdownSignal& shutdown, JsonLogger& log)
      : offsets_(def.postgresSchema, def.consumerGroup, "replay"), retryTopics_(retryTopicsOf(def)) {
    KafkaAdmin admin(kafka);
    range_ = ReplayRange::of(admin, topicsOf(def));
    thread_ = std::thread([this, url = settings.databaseUrl, &kafka, &shutdown, &log] {
      PostgresConnection pg(url);
      KafkaAdmin retryAdmin(kafka);
      while (!shutdown.requested() && !leaving_) {
        try {
          auto positions = offsets_.positions(pg.get());
          if (range_.remaining(positions) == 0 &&
              (retryTopics_.empty() || ReplayRange::of(retryAdmin, retryTopics_).remaining(positions) == 0)) {
            log.info("replay reached the end offsets seen at start; stopping");
            shutdown.request();
          }
        } catch (const std::exception&) {
          pg.reset();
        }
        for (int i = 0; i < 5 && !shutdown.requested() && !leaving_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ~ReplayFinish() {
    leaving_ = true;
    thread_.join();
  }
  ReplayFinish(const ReplayFinish&) = delete;
  ReplayFinish& operator=(const ReplayFinish&) = delete;

 private:
  OffsetStore offsets_;
  ReplayRange range_;
  std::vector<std::string> retryTopics_;
  std::atomic<bool> leaving_{false};
  std::thread thread_;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

nlohmann::json describeRoutes(const ServiceDefinition& def) {
  auto out = nlohmann::json::array();
  for (const auto& r : def.routes) {
    auto types = nlohmann::json::array();
    for (const auto& t : r.types) types.push_back({{"type", t.type}, {"versions", t.versions}});
    out.push_back({{"topic", r.topic}, {"key", r.key}, {"eventTypes", types}, {"retryTopic", r.failures.retryTopic}});
  }
  return out;
}

std::vector<ConfigOption> allOptions(const ServiceDefinition& def) {
  auto options = RuntimeSettings::options(!def.redisPrefix.empty());
  // Overrides for blue/green deployments, shadow consumers and tests.
  options.push_back({"KAFKA_GROUP_ID", "consumer group", def.consumerGroup});
  options.push_back({"KAFKA_TOPICS", "the routes' topics under other names (tests, shadow consumers), comma-separated, in this order", joined(topicsOf(def))});
  for (auto& o : KafkaSettings::options()) options.push_back(std::move(o));
  for (const auto& o : def.options) options.push_back(o);
  return options;
}

void usage(const ServiceDefinition& def) {
  std::cout << "qrfleet-" << def.name << " " << kVersion << " - " << def.description << "\n\n"
            << "Usage: qrfleet-" << def.name << " [--migrate] [--help] [--version]\n"
            << "  (no option)  apply migrations, then consume " ;
  std::cout << joined(topicsOf(def));
  std::cout << " as group " << def.consumerGroup << " until SIGTERM\n"
            << "  --migrate    apply the SQL migrations of schema '" << def.postgresSchema << "' and exit\n"
            << "Replay steps (run by `qrfleet replay`, with the service's consumers stopped):\n"
            << "  --describe                 print group, topics, schema and Redis prefix as JSON\n"
            << "  --state-digest             print a digest of every table and of the Redis keys as JSON\n"
            << "  --reset-state [--from T]   empty the tables and Redis keys, reset offsets (to time T)\n"
            << "  --replay                   consume until the end offsets seen at start, then exit\n\n"
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

std::vector<std::string> topicsOf(const ServiceDefinition& def) {
  std::vector<std::string> out;
  for (const auto& r : def.routes) out.push_back(r.topic);
  return out;
}

std::vector<std::string> retryTopicsOf(const ServiceDefinition& def) {
  std::vector<std::string> out;
  for (const auto& r : def.routes)
    if (r.failures.retryTopic) out.push_back(retryTopicOf(r.topic));
  return out;
}

int runService(int argc, char** argv, const ServiceDefinition& declared) {
  ServiceDefinition def = declared;
  // First: every thread started later inherits the blocked signal mask.
  ShutdownSignal shutdown;
  bool migrateOnly = false;
  std::string step;  // a replay step, see usage()
  std::optional<std::int64_t> fromMs;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--describe" || a == "--state-digest" || a == "--reset-state" || a == "--replay") {
      step = a;
      continue;
    }
    if (a == "--from" && i + 1 < argc) {
      fromMs = parseRfc3339Millis(argv[++i]);
      if (!fromMs) {
        std::cerr << "qrfleet-" << def.name << ": --from needs an RFC 3339 time, e.g. 2026-11-22T10:00:00Z\n";
        return 2;
      }
      continue;
    }
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
  auto settings = RuntimeSettings::fromConfig(config, !def.redisPrefix.empty());
  for (const auto& [target, limit] : def.outsideTargetLimits) settings.outsideLimits.perTarget.emplace(target, limit);
  auto kafka = KafkaSettings::fromConfig(config);
  def.consumerGroup = config.string("KAFKA_GROUP_ID");
  {
    // The declared topics under other names, position by position.
    std::vector<std::string> renamed;
    std::istringstream topics(config.string("KAFKA_TOPICS"));
    for (std::string t; std::getline(topics, t, ',');)
      if (!t.empty()) renamed.push_back(t);
    if (renamed.size() != def.routes.size())
      config.invalid("KAFKA_TOPICS", "names " + std::to_string(renamed.size()) + " topic(s); the service routes " +
                                         std::to_string(def.routes.size()) + " (" + joined(topicsOf(def)) + ")");
    else
      for (std::size_t i = 0; i < renamed.size(); ++i) def.routes[i].topic = renamed[i];
  }
  JsonLogger log(def.name, parseLogLevel(settings.logLevel), std::cout);
  RuntimeMetrics metrics(def.name, std::string(kVersion));
  OutsideKit outside(settings.redisUrl, def.redisPrefix, metrics);
  ServiceContext context{def, config, log, metrics, outside};
  settings.replaying = step == "--replay";
  std::shared_ptr<void> shared;  // outlives the handlers that refer to it
  std::vector<std::unique_ptr<BatchHandler>> handlers;
  std::vector<PeriodicTask> tasks;
  try {
    if (def.makeShared) context.shared = (shared = def.makeShared(context)).get();
    handlers.push_back(def.makeHandler(context));
    if (def.makeTasks) tasks = def.makeTasks(context);
    config.finish();
    for (const auto& r : def.routes)
      if (!handlers.front() || !r.fits(*handlers.front())) {
        std::cerr << "qrfleet-" << def.name << ": the route of topic " << r.topic
                  << " names a member of another handler class than makeHandler makes\n";
        return 1;
      }
    // One handler per apply lane; the configuration is known good now.
    // APPLY_LANES shared lanes, then one for each route declared onOwnLane().
    auto lanes = settings.applyLanes + static_cast<int>(std::count_if(def.routes.begin(), def.routes.end(),
                                                                      [](const Route& r) { return r.ownLane; }));
    while (static_cast<int>(handlers.size()) < lanes) handlers.push_back(def.makeHandler(context));
  } catch (const ConfigError& e) {
    std::cerr << "qrfleet-" << def.name << ": " << e.what() << "\n";
    return 2;
  }

  if (step == "--describe") {
    std::cout << nlohmann::json{{"service", def.name},
                                {"group", def.consumerGroup},
                                {"topics", topicsOf(def)},
                                {"routes", describeRoutes(def)},
                                {"postgresSchema", def.postgresSchema},
                                {"redisPrefix", def.redisPrefix}}
                     .dump()
              << "\n";
    return 0;
  }
  try {
    if (!migrate(def, settings, log, shutdown)) return 0;
    if (migrateOnly) return 0;
    if (step == "--state-digest") {
      std::cout << ServiceState(def, settings.databaseUrl, settings.redisUrl).digest().dump(2) << "\n";
      return 0;
    }
    if (step == "--reset-state") return resetState(def, settings, kafka, fromMs, log);
    BatchConsumer consumer(def, settings, kafka, std::move(handlers), log, metrics, shutdown.flag());
    std::optional<ReplayFinish> replayFinish;
    if (step == "--replay") replayFinish.emplace(def, settings, kafka, shutdown, log);
    std::optional<PeriodicTaskRunner> periodicTasks;
    if (step.empty())
      periodicTasks.emplace(std::move(tasks), settings, kafka, "qrfleet-" + def.name + "-" + settings.instanceId + "-tasks",
                            log, metrics);
    HealthServer http(settings.metricsPort, {[&] { return metrics.render(); }, [&] { return consumer.healthy(); },
                                             [&] { return consumer.ready(); }});
    log.info("started", {{"version", kVersion}, {"instance", settings.instanceId}, {"group", def.consumerGroup},
                         {"topics", topicsOf(def)}, {"metricsPort", http.port()}});
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
