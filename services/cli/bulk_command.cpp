#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/bulk_qr_events.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/object_store_config.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/sha256.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/time_format.h"
#include "qrfleet/version.h"

namespace qrfleet::cli {

namespace {

struct SubmitArgs {
  std::string csv;
  std::string owner;
  std::string batchId;
  std::string topic = "bulk-qr-processing";
  std::string formats = "png";
  int size = 300;
  int margin = 4;
  std::string level = "M";
  std::string foreground = "#000000";
  std::string background = "#ffffff";
  std::string naming;
  bool wait = false;
};

struct StatusArgs {
  std::string batchId;
  bool once = false;
  double timeoutSeconds = 3600;
};

std::map<std::string, std::string> progressOf(RedisClient& redis, const std::string& batchId) {
  auto reply = redis.command({"HGETALL", events::bulkProgressKey(batchId)});
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; reply && i + 1 < reply->elements; i += 2)
    out[std::string(reply->element[i]->str, reply->element[i]->len)] =
        std::string(reply->element[i + 1]->str, reply->element[i + 1]->len);
  return out;
}

long long number(const std::map<std::string, std::string>& p, const char* field) {
  auto it = p.find(field);
  return it == p.end() ? 0 : std::stoll(it->second);
}

// Shows the batch's progress until it ends; 0 when it completed.
int showStatus(const StatusArgs& args) {
  EnvConfig c({{"REDIS_URL", "Redis URL of the bulk-qr worker", std::nullopt, true}});
  auto url = c.url("REDIS_URL", {"redis", "rediss"});
  c.finish();
  RedisClient redis(url);
  auto started = std::chrono::steady_clock::now();
  std::optional<ProgressBar> bar;
  long long lastDone = 0;
  auto lastAt = started;
  double rate = 0;
  for (;;) {
    auto p = progressOf(redis, args.batchId);
    auto status = p.count("status") ? p["status"] : std::string();
    long long total = number(p, "total"), done = number(p, "generated") + number(p, "failed");
    if (!p.empty() && !bar) bar.emplace("batch " + args.batchId, total);
    auto now = std::chrono::steady_clock::now();
    if (double dt = std::chrono::duration<double>(now - lastAt).count(); dt >= 1.0) {
      rate = static_cast<double>(done - lastDone) / dt;
      lastDone = done;
      lastAt = now;
    }
    if (bar) bar->update(done, rate);
    bool ended = status == "completed" || status == "cancelled" || status == "rejected" || status == "failed";
    if (ended || args.once) {
      if (bar) bar->finish();
      if (p.empty()) {
        std::cout << "batch " << args.batchId << ": not known (yet)\n";
        return 1;
      }
      std::cout << "batch " << args.batchId << ": " << (status.empty() ? "queued" : status) << ", " << number(p, "generated")
                << " generated, " << number(p, "failed") << " failed, " << number(p, "invalid") << " invalid rows of "
                << total + number(p, "invalid");
      if (p.count("archiveKey")) std::cout << "; archive " << p["archiveKey"];
      if (p.count("error")) std::cout << "; " << p["error"];
      std::cout << "\n";
      return status == "completed" ? 0 : 1;
    }
    if (now - started > std::chrono::duration<double>(args.timeoutSeconds)) {
      if (bar) bar->finish();
      std::cout << "batch " << args.batchId << ": still " << (status.empty() ? "queued" : status) << " after "
                << args.timeoutSeconds << " s\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int submit(const SubmitArgs& args) {
  std::ifstream in(args.csv, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + args.csv);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto bytes = buffer.str();
  if (bytes.empty()) throw std::runtime_error(args.csv + " is empty");

  events::BulkBatchRequested b;
  b.batchId = args.batchId.empty() ? "batch-" + randomUuid() : args.batchId;
  b.ownerId = args.owner;
  b.options = events::QrOptions::fromJson({{"formats", args.formats}, {"sizePx", args.size}, {"margin", args.margin},
                                           {"errorCorrection", args.level}, {"foreground", args.foreground},
                                           {"background", args.background}},
                                          events::BulkBatchRequested::type);
  if (!args.naming.empty()) b.options.naming = args.naming;
  b.csv = events::CsvObject{"uploads/" + args.owner + "/" + b.batchId + ".csv", static_cast<std::int64_t>(bytes.size()),
                            sha256Hex(bytes)};

  EnvConfig c(objectStoreOptions());
  auto storeSettings = objectStoreSettings(c);
  c.finish();
  RuntimeMetrics metrics("cli", std::string(kVersion));
  HttpClient http(metrics);
  makeObjectStore(storeSettings, http)->put(b.csv->objectKey, bytes, "text/csv");

  Envelope e;
  e.eventId = randomUuid();
  e.eventType = std::string(events::BulkBatchRequested::type);
  e.timestampMs = nowMillis();
  e.source = "qrfleet-cli";
  e.payload = b.toPayload();
  CliContext ctx;
  EventProducer producer(ctx.kafka(), "qrfleet-cli");
  producer.produceEvent(args.topic, b.batchId, e);
  producer.flush(std::chrono::seconds(60));
  std::cout << "submitted batch " << b.batchId << " (" << bytes.size() << " bytes of CSV at " << b.csv->objectKey << ")\n";
  if (!args.wait) return 0;
  return showStatus({b.batchId, false, 3600});
}

}  // namespace

void addBulkCommand(CLI::App& app) {
  auto* bulk = app.add_subcommand("bulk", "bulk QR batches: submit a CSV, follow a batch's progress");
  bulk->require_subcommand(1);

  auto s = std::make_shared<SubmitArgs>();
  auto* sub = bulk->add_subcommand("submit", "upload a CSV (a header row naming a data/url column) and request its codes");
  sub->add_option("--csv", s->csv, "the CSV file")->required();
  sub->add_option("--owner", s->owner, "the owner (user id) of the batch")->required();
  sub->add_option("--batch-id", s->batchId, "the batch id (default: a new UUID)");
  sub->add_option("--topic", s->topic, "request topic");
  sub->add_option("--formats", s->formats, "png, svg or both");
  sub->add_option("--size", s->size, "image size in pixels");
  sub->add_option("--margin", s->margin, "quiet zone in modules");
  sub->add_option("--level", s->level, "error correction: L, M, Q or H");
  sub->add_option("--foreground", s->foreground, "#rrggbb");
  sub->add_option("--background", s->background, "#rrggbb");
  sub->add_option("--naming", s->naming, "archive file names: {index}, {label}, {data}");
  sub->add_flag("--wait", s->wait, "show the progress until the batch ends");
  sub->callback([s] {
    if (int rc = submit(*s); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto st = std::make_shared<StatusArgs>();
  auto* status = bulk->add_subcommand("status", "a batch's progress bar until it ends (exit 0 if it completed)");
  status->add_option("batch", st->batchId, "batch id")->required();
  status->add_flag("--once", st->once, "print the state once and exit");
  status->add_option("--timeout", st->timeoutSeconds, "give up after this many seconds");
  status->callback([st] {
    if (int rc = showStatus(*st); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace qrfleet::cli
