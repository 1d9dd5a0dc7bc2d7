#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/kafka_admin.h"
#include "qrfleet/stores/offset_store.h"
#include "qrfleet/stores/postgres_connection.h"
#include "qrfleet/replay/replay_range.h"
#include "qrfleet/replay/service_state.h"
#include "qrfleet/time_format.h"
#include "worker_binary.h"

namespace qrfleet::cli {

namespace {

struct ReplayArgs {
  std::string service;
  std::string from = "earliest";
  bool verify = false;
};

nlohmann::json stepJson(const WorkerBinary& worker, const std::string& step) {
  auto r = worker.run({step}, true, {{"LOG_LEVEL", "warn"}});
  if (r.exitCode != 0) throw std::runtime_error(worker.name() + " " + step + " exited with " + std::to_string(r.exitCode));
  return nlohmann::json::parse(r.output);
}

int replay(const ReplayArgs& a) {
  CliContext ctx;
  auto kafka = ctx.kafka();
  auto databaseUrl = ctx.databaseUrl();
  WorkerBinary worker(a.service);
  auto described = stepJson(worker, "--describe");
  std::vector<std::string> fromArgs;
  std::optional<std::int64_t> fromMs;
  if (a.from != "earliest") {
    fromMs = parseRfc3339Millis(a.from);
    if (!fromMs) throw std::runtime_error("--from must be 'earliest' or an RFC 3339 time, got '" + a.from + "'");
    fromArgs = {"--from", a.from};
  }

  nlohmann::json before;
  if (a.verify) {
    std::cerr << "snapshotting the state built live ...\n";
    before = stepJson(worker, "--state-digest");
  }

  std::vector<std::string> resetArgs{"--reset-state"};
  resetArgs.insert(resetArgs.end(), fromArgs.begin(), fromArgs.end());
  if (int rc = worker.run(resetArgs, false, {{"LOG_LEVEL", "warn"}}).exitCode; rc != 0) {
    std::cerr << "qrfleet: " << worker.name() << " --reset-state exited with " << rc << "; nothing was replayed\n";
    return 1;
  }

  // What there is to replay: from the reset positions to the end offsets now.
  KafkaAdmin admin(kafka);
  auto range = ReplayRange::of(admin, described["topics"].get<std::vector<std::string>>(), fromMs);
  long long total = range.total();
  if (!fromMs && a.verify)
    for (const auto& [tp, start] : range.start)
      if (start > 0)
        std::cerr << "warning: " << tp.str() << " no longer holds its first events (retention): the rebuilt state "
                  << "can differ from the live one\n";

  OffsetStore offsets(described["postgresSchema"].get<std::string>(), described["group"].get<std::string>(), "cli");
  PostgresConnection pg(databaseUrl);
  auto t0 = std::chrono::steady_clock::now();
  auto pid = worker.start({"--replay"}, {{"LOG_LEVEL", "warn"}, {"METRICS_PORT", "0"}});
  ProgressBar bar("replaying " + a.service, total);
  std::optional<int> rc;
  while (!(rc = WorkerBinary::exitCode(pid, false))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    try {
      auto done = total - range.remaining(offsets.positions(pg.get()));
      bar.update(done, secs > 0 ? static_cast<double>(done) / secs : 0);
    } catch (const std::exception&) {
      pg.reset();
    }
  }
  bar.finish();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (*rc != 0) {
    std::cerr << "qrfleet: " << worker.name() << " --replay exited with " << *rc << "\n";
    return 1;
  }
  std::printf("replayed %lld events of %s in %.1f s = %.0f events/s\n", total, a.service.c_str(), secs,
              secs > 0 ? static_cast<double>(total) / secs : 0.0);

  if (a.verify) {
    auto after = stepJson(worker, "--state-digest");
    auto diff = ServiceState::differences(before, after);
    if (!diff.empty()) {
      std::printf("verify FAILED: the rebuilt state differs from the state built live\n");
      for (const auto& d : diff) std::printf("  %s\n", d.c_str());
      return 1;
    }
    std::printf("verify OK: %zu digests identical (", before.size());
    bool first = true;
    for (const auto& [k, v] : before.items()) {
      if (k == "offsets") continue;
      std::printf("%s%s %s", first ? "" : "; ", k.c_str(), v.get<std::string>().c_str());
      first = false;
    }
    std::printf(")\n");
  }
  return 0;
}

}  // namespace

void addReplayCommand(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  auto* cmd = app.add_subcommand(
      "replay", "rebuild a service's state from its topics: reset its tables, Redis keys and offsets, reprocess");
  cmd->add_option("service", args->service, "the service, e.g. scan-analytics (its workers must be stopped)")
      ->required();
  cmd->add_option("--from", args->from, "'earliest' (default) or an RFC 3339 time: only events from then on");
  cmd->add_flag("--verify", args->verify,
                "snapshot a digest of every table and Redis key first; after the rebuild, they must be identical");
  cmd->callback([args] {
    if (int rc = replay(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace qrfleet::cli
