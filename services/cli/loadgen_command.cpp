#include <chrono>
#include <iostream>
#include <thread>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/tools/loadgen/driver_workload.h"
#include "qrfleet/tools/loadgen/notification_workload.h"
#include "qrfleet/tools/loadgen/scan_workload.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/time_format.h"

namespace qrfleet::cli {

namespace {
struct LoadgenArgs {
  double rate = 1000;
  long long count = 10000;
  int qrCodes = 1000;
  int owners = 100;
  std::uint64_t seed = 0;
  std::string topic = "analytics-events";
  std::string start;
  long long stepMs = 0;
  double botShare = 0.05;
  int lingerMs = 20;
};

struct LocationArgs {
  double rate = 1000;
  long long count = 10000;
  int drivers = 1000;
  std::uint64_t seed = 0;
  std::string topic = "location-updates";
  std::string around;  // "lat,lon"
  double radiusKm = 20;
  std::string vehicleType;
  int lingerMs = 20;
};

struct NotificationArgs {
  double rate = 500;
  long long count = 1000;
  int recipients = 1000;
  std::string channel = "push";
  std::string priority = "normal";
  std::string topic;  // default: the priority's topic
  int lingerMs = 5;
};

// Sends `count` events from `next` (0: until interrupted) at `rate` per second
// (0: as fast as possible) with a progress bar; returns the seconds it took.
template <class Next>
double sendWorkload(Next next, const std::string& topic, long long count, double rate, int lingerMs,
                    const std::string& label) {
  CliContext ctx;
  auto kafka = ctx.kafka();
  if (!kafka.extra.count("linger.ms")) kafka.extra["linger.ms"] = std::to_string(lingerMs);
  EventProducer producer(kafka, "qrfleet-loadgen");
  // The topic's metadata first (a producer's first lookup of a topic takes up
  // to a second here): events are stamped when made, and a platform service's
  // long-lived producer would know the topic already.
  producer.warm({topic}, std::chrono::seconds(10));
  ProgressBar bar(label, count);
  auto t0 = std::chrono::steady_clock::now();
  long long sent = 0;
  while (count == 0 || sent < count) {
    auto [key, event] = next();
    producer.produceEvent(topic, key, event);
    ++sent;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rate > 0) {
      double due = static_cast<double>(sent) / rate;
      if (due > elapsed) std::this_thread::sleep_for(std::chrono::duration<double>(due - elapsed));
    }
    if (sent % 1000 == 0) {
      producer.handle().poll(0);
      bar.update(sent, static_cast<double>(sent) / std::max(elapsed, 1e-3));
    }
  }
  producer.flush(std::chrono::seconds(120));
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.update(sent, static_cast<double>(sent) / std::max(elapsed, 1e-3));
  bar.finish();
  return elapsed;
}
}  // namespace

void addLoadgenCommand(CLI::App& app) {
  auto args = std::make_shared<LoadgenArgs>();
  auto* loadgen = app.add_subcommand("loadgen", "drive a realistic workload into the fleet");
  loadgen->require_subcommand(1);
  auto* scans = loadgen->add_subcommand("scans", "scan.recorded events to analytics-events");
  scans->add_option("--rate", args->rate, "events per second, 0 = as fast as possible")->check(CLI::NonNegativeNumber);
  scans->add_option("--count", args->count, "events to send (0 = until interrupted)")->check(CLI::NonNegativeNumber);
  scans->add_option("--qr-codes", args->qrCodes, "distinct QR codes")->check(CLI::PositiveNumber);
  scans->add_option("--owners", args->owners, "distinct owners")->check(CLI::PositiveNumber);
  scans->add_option("--seed", args->seed, "random seed (same seed, same events; default: time)");
  scans->add_option("--topic", args->topic, "topic");
  scans->add_option("--start", args->start, "scannedAt of the first event (RFC 3339; default: now)");
  scans->add_option("--step-ms", args->stepMs, "with --start: scannedAt advances this much per event");
  scans->add_option("--bot-share", args->botShare, "share of bot traffic")->check(CLI::Range(0.0, 1.0));
  scans->add_option("--linger-ms", args->lingerMs,
                    "producer linger: fewer, larger requests (spares the broker's CPU with many partitions)")
      ->check(CLI::Range(0, 1000));
  scans->callback([args] {
    loadgen::ScanWorkloadOptions o;
    o.seed = args->seed ? args->seed : static_cast<std::uint64_t>(nowMillis());
    o.qrCodes = args->qrCodes;
    o.owners = args->owners;
    o.botShare = args->botShare;
    if (!args->start.empty()) {
      auto t = parseRfc3339Millis(args->start);
      if (!t) throw std::runtime_error("--start is not RFC 3339: " + args->start);
      o.startMs = *t;
      o.stepMs = args->stepMs;
    }
    loadgen::ScanWorkload workload(o);
    auto elapsed = sendWorkload([&] { return workload.next(); }, args->topic, args->count, args->rate, args->lingerMs,
                                "scans");
    std::cout << "sent " << args->count << " scan events to " << args->topic << " in " << elapsed << " s (seed "
              << o.seed << ")\n";
  });

  auto largs = std::make_shared<LocationArgs>();
  auto* locations = loadgen->add_subcommand("locations", "location.updated events to location-updates");
  locations->add_option("--rate", largs->rate, "events per second, 0 = as fast as possible")->check(CLI::NonNegativeNumber);
  locations->add_option("--count", largs->count, "events to send (0 = until interrupted)")->check(CLI::NonNegativeNumber);
  locations->add_option("--drivers", largs->drivers, "distinct drivers (updates go round-robin)")->check(CLI::PositiveNumber);
  locations->add_option("--seed", largs->seed, "random seed (same seed, same drivers and ids; default: time)");
  locations->add_option("--topic", largs->topic, "topic");
  locations->add_option("--around", largs->around, "centre as lat,lon (default: Mumbai)");
  locations->add_option("--radius-km", largs->radiusKm, "drivers start within this distance of the centre")
      ->check(CLI::PositiveNumber);
  locations->add_option("--vehicle-type", largs->vehicleType, "one vehicle type for every driver (default: a mix)");
  locations->add_option("--linger-ms", largs->lingerMs, "producer linger")->check(CLI::Range(0, 1000));
  locations->callback([largs] {
    loadgen::DriverWorkloadOptions o;
    o.seed = largs->seed ? largs->seed : static_cast<std::uint64_t>(nowMillis());
    o.drivers = largs->drivers;
    o.radiusKm = largs->radiusKm;
    o.vehicleType = largs->vehicleType;
    if (!largs->around.empty()) {
      auto comma = largs->around.find(',');
      if (comma == std::string::npos) throw std::runtime_error("--around needs lat,lon: " + largs->around);
      o.centerLat = std::stod(largs->around.substr(0, comma));
      o.centerLon = std::stod(largs->around.substr(comma + 1));
    }
    loadgen::DriverWorkload workload(o);
    auto elapsed = sendWorkload([&] { return workload.next(); }, largs->topic, largs->count, largs->rate,
                                largs->lingerMs, "locations");
    std::cout << "sent " << largs->count << " location updates to " << largs->topic << " in " << elapsed
              << " s (seed " << o.seed << ")\n";
  });

  auto nargs = std::make_shared<NotificationArgs>();
  auto* notes = loadgen->add_subcommand("notifications", "notification.requested v2 events (inline messages with addresses)");
  notes->add_option("--rate", nargs->rate, "events per second, 0 = as fast as possible")->check(CLI::NonNegativeNumber);
  notes->add_option("--count", nargs->count, "events to send (0 = until interrupted)")->check(CLI::NonNegativeNumber);
  notes->add_option("--recipients", nargs->recipients, "distinct recipients (round-robin)")->check(CLI::PositiveNumber);
  notes->add_option("--channel", nargs->channel, "push, email, sms or in_app")
      ->check(CLI::IsMember({"push", "email", "sms", "in_app"}));
  notes->add_option("--priority", nargs->priority, "urgent, normal or bulk")
      ->check(CLI::IsMember({"urgent", "normal", "bulk"}));
  notes->add_option("--topic", nargs->topic,
                    "topic (default: the priority's: notifications-urgent, notifications, notifications-bulk)");
  notes->add_option("--linger-ms", nargs->lingerMs, "producer linger")->check(CLI::Range(0, 1000));
  notes->callback([nargs] {
    loadgen::NotificationWorkload workload(
        {nargs->channel, nargs->priority, nargs->recipients, std::to_string(nowMillis() % 100000000)});
    auto topic = nargs->topic.empty() ? events::notificationTopicFor(nargs->priority) : nargs->topic;
    auto elapsed = sendWorkload([&] { return workload.next(); }, topic, nargs->count, nargs->rate, nargs->lingerMs,
                                "notifications");
    std::cout << "sent " << nargs->count << " " << nargs->channel << " notifications to " << topic << " in " << elapsed
              << " s\n";
  });
}

}  // namespace qrfleet::cli
