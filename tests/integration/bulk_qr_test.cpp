// qrfleet-bulk-qr against the real stack and a real S3 server (the Versity
// gateway of the test stack): codes decoded back by zbarimg, the archive
// against the rows, completion exactly once across SIGKILLs and two
// replicas, cancellation mid-batch, batches refused whole.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "qrfleet/event_id.h"
#include "qrfleet/events/bulk_qr_events.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/s3_object_store.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/sha256.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/time_format.h"
#include "worker_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {


// One scenario: fresh topics, schema and bucket; the worker's env points at them.
struct BulkRun {
  std::string bucket = "bulk-" + randomUuid().substr(0, 8);
  std::map<std::string, std::string> extra;  // the worker's own settings, for its replays too
  RuntimeMetrics metrics{"bulk-qr-test", "test"};
  HttpClient http{metrics};
  WorkerRun run;
  S3ObjectStore store;

  explicit BulkRun(const std::string& name, std::map<std::string, std::string> settings = {})
      : extra(settings),
        run({"qrfleet-bulk-qr", "qr", "bulk-qr-" + name, {{"bulk-qr-processing", 3}, {"bulk-qr-chunks", 10}},
             {{"bulk-qr-status", 3}, {"bulk-qr-notifications", 1}}, true, true, withStore(settings)}),
        store(run.stack().s3(bucket), http) {
    store.ensureBucket();
  }

  std::map<std::string, std::string> withStore(std::map<std::string, std::string> extra) const {
    auto s3 = TestStack::fromEnvironment().s3(bucket);
    std::map<std::string, std::string> e{{"OBJECT_STORE_URL", "s3://" + bucket},
                                         {"S3_ENDPOINT", s3.endpoint},
                                         {"S3_REGION", s3.region},
                                         {"S3_ACCESS_KEY_ID", s3.accessKey},
                                         {"S3_SECRET_ACCESS_KEY", s3.secretKey},
                                         {"S3_CREATE_BUCKET", "true"},
                                         {"RETRY_TOPIC_DELAYS_MS", "200"}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }
  // A worker, once ready: its schema is migrated before the test reads it (a
  // sanitizer build starts slowly).
  std::unique_ptr<WorkerProcess> start() {
    auto worker = run.startWorker({{"BULK_QR_STATUS_TOPIC", run.output(0)}, {"BULK_QR_NOTIFICATIONS_TOPIC", run.output(1)}});
    REQUIRE_MESSAGE(run.waitReady(120s), "bulk-qr worker never became ready; see " << worker->logPath());
    return worker;
  }

  // Uploads the CSV and requests its batch; returns the request.
  events::BulkBatchRequested submitCsv(const std::string& batchId, const std::string& csv, events::QrOptions options = {},
                                       std::optional<std::string> claimedSha = {}) {
    events::BulkBatchRequested b;
    b.batchId = batchId;
    b.ownerId = "owner-1";
    b.options = options;
    b.csv = events::CsvObject{"uploads/" + batchId + ".csv", static_cast<std::int64_t>(csv.size()),
                              claimedSha.value_or(sha256Hex(csv))};
    store.put(b.csv->objectKey, csv, "text/csv");
    produce(b.batchId, events::BulkBatchRequested::type, b.toPayload());
    return b;
  }
  void produce(const std::string& key, std::string_view type, nlohmann::json payload) {
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = std::string(type);
    e.timestampMs = nowMillis();
    e.source = "bulk-qr-test";
    e.payload = std::move(payload);
    run.producer().produceEvent(run.topic(0), key, e);
    run.flush();
  }
  std::string status(const std::string& batchId) const {
    pqxx::connection c(run.stack().databaseUrl);
    pqxx::read_transaction t(c);
    auto r = t.exec_params("SELECT status FROM qr.batches WHERE batch_id = $1", batchId);
    return r.empty() ? "" : r[0][0].as<std::string>();
  }
  bool waitStatus(const std::string& batchId, const std::string& wanted, std::chrono::milliseconds timeout) const {
    return waitUntil([&] { return status(batchId) == wanted; }, timeout);
  }
  // `qrfleet replay bulk-qr --verify` over the run's topics; its output, and *rc.
  std::string replayVerify(int* rc) const {
    std::string envs;
    for (const auto& [k, v] : withStore(extra)) envs += k + "='" + v + "' ";
    return runCommand(envs + "KAFKA_TOPICS=" + run.topic(0) + "," + run.topic(1) + " KAFKA_GROUP_ID=" + run.group() +
                          " BULK_QR_STATUS_TOPIC=" + run.output(0) + " BULK_QR_NOTIFICATIONS_TOPIC=" + run.output(1) + " " +
                          run.stack().binDir + "/qrfleet replay bulk-qr --verify 2>&1",
                      rc);
  }
  // Modification times of the bucket's files, as the stack's S3 server keeps them on disk.
  std::map<std::string, std::filesystem::file_time_type> objectTimes() const {
    std::map<std::string, std::filesystem::file_time_type> out;
    auto dir = std::filesystem::path(requireEnv("QRFLEET_STACK_DIR_RESOLVED")) / "s3" / bucket;
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir))
      if (f.is_regular_file() && f.path().string().find(".sgwtmp") == std::string::npos)
        out[f.path().string()] = f.last_write_time();
    return out;
  }
  std::vector<Envelope> read(std::size_t output, std::string_view type) const {
    std::vector<Envelope> out;
    for (auto& e : readEnvelopes(run.stack(), run.output(output)))
      if (e.eventType == type) out.push_back(std::move(e));
    return out;
  }
};

std::string shell(const std::string& command) {
  int rc = 0;
  auto out = runCommand(command, &rc);
  REQUIRE_MESSAGE(rc == 0, command << " failed: " << out);
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::string zbar(const std::filesystem::path& image) {
  int rc = 0;
  auto out = runCommand("zbarimg --quiet --raw -Sbinary '" + image.string() + "' 2>/dev/null", &rc);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string manyRows(int n) {
  std::string csv = "url\n";
  for (int i = 0; i < n; ++i) csv += "https://qr.example/c/" + std::to_string(100000 + i) + "-bulk-generated-code\n";
  return csv;
}

}  // namespace

TEST_CASE("bulk-qr: a CSV batch's PNG and SVG codes decode back, bad rows are reported, the archive matches the rows") {
  BulkRun b("csv", {{"BULK_QR_CHUNK_SIZE", "4"}});  // three chunks: the last to finish varies
  auto worker = b.start();
  std::string csv =
      "\xEF\xBB\xBF"
      "label,data,filename\r\n"
      "\"Table 1, window\",https://qr.example/t/1,table-1\r\n"
      "\"two\nlines\",https://qr.example/t/2,\r\n"
      "no data,,x\r\n"
      "short\r\n"
      "bad utf8,https://qr.example/\xC3\x28,z\r\n"
      "x,,\r\n"
      "toolong," + std::string(1300, 'A') + ",t\r\n";
  for (int i = 3; i <= 12; ++i) csv += "Seat " + std::to_string(i) + ",https://qr.example/t/" + std::to_string(i) + ",\r\n";
  events::QrOptions o;
  o.png = o.svg = true;
  o.errorCorrection = 'H';
  o.naming = "{label}";
  b.submitCsv("b-csv", csv, o);
  REQUIRE(b.waitStatus("b-csv", "completed", 120s));

  CHECK(b.run.count("SELECT count(*) FROM qr.items WHERE batch_id = 'b-csv' AND failure IS NULL") == 12);
  CHECK(b.run.count("SELECT count(*) FROM qr.invalid_rows WHERE batch_id = 'b-csv'") == 5);
  auto report = b.store.get("qr/owner-1/b-csv/validation-report.csv");
  REQUIRE(report);
  CHECK(lines(*report).size() == 6);  // header + 5 rows
  CHECK(report->find("1300 bytes; error correction H holds at most 1273") != std::string::npos);

  auto completed = b.read(0, events::BulkBatchCompleted::type);
  REQUIRE(completed.size() == 1);
  auto c = events::BulkBatchCompleted::fromEnvelope(completed[0]);
  CHECK(c.status == "completed");
  CHECK(c.generated == 12);
  CHECK(c.invalid == 5);
  auto notes = b.read(1, events::NotificationRequested::type);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].payload["recipientId"] == "owner-1");
  // The presigned link in the notification fetches the archive without credentials.
  auto archive = b.store.get("qr/owner-1/b-csv/archive.zip");
  REQUIRE(archive);
  CHECK(sha256Hex(*archive) == c.archiveSha256.value_or(""));
  HttpRequest get;
  get.url = notes[0].payload["data"]["archiveUrl"].get<std::string>();
  auto fetched = b.http.send(get);
  CHECK(fetched.status == 200);
  CHECK(fetched.body == *archive);

  // The archive's listing is the rows' entries, and every code in it decodes to its row's data.
  auto dir = std::filesystem::temp_directory_path() / ("bulk-qr-test-" + randomUuid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "archive.zip", std::ios::binary).write(archive->data(), static_cast<std::streamsize>(archive->size()));
  auto listing = lines(shell("unzip -Z1 '" + (dir / "archive.zip").string() + "'"));
  shell("cd '" + dir.string() + "' && unzip -q archive.zip -d files");
  std::set<std::string> expected = {"validation-report.csv"};
  int decoded = 0;
  pqxx::connection conn(b.run.stack().databaseUrl);
  pqxx::result rows;
  {
    pqxx::read_transaction t(conn);
    rows = t.exec("SELECT entry, data, png_key, png_sha256, svg_key, svg_sha256 FROM qr.items"
                  " WHERE batch_id = 'b-csv' ORDER BY item_index");
  }
  for (const auto& r : rows) {
    auto entry = r[0].as<std::string>();
    auto data = r[1].as<std::string>();
    expected.insert(entry + ".png");
    expected.insert(entry + ".svg");
    auto png = dir / "files" / (entry + ".png");
    auto svg = dir / "files" / (entry + ".svg");
    CHECK(zbar(png) == data);
    shell("rsvg-convert -w 600 -h 600 -b white -o '" + (dir / "svg.png").string() + "' '" + svg.string() + "' 2>&1");
    CHECK(zbar(dir / "svg.png") == data);
    // The stored objects are the archive's bytes, and the rows hold their digests.
    auto stored = b.store.get(r[2].as<std::string>());
    REQUIRE(stored);
    CHECK(sha256Hex(*stored) == r[3].as<std::string>());
    CHECK(sha256Hex(*b.store.get(r[4].as<std::string>())) == r[5].as<std::string>());
    ++decoded;
  }
  CHECK(decoded == 12);
  CHECK(std::set<std::string>(listing.begin(), listing.end()) == expected);
  CHECK(listing.size() == expected.size());
  CHECK(expected.count("table-1.png") == 1);  // the row's own filename
  CHECK(expected.count("Seat 3.png") == 1);   // the naming template
  CHECK(b.store.list("qr/owner-1/b-csv/parts/").empty());  // parts removed once the archive is stored
  std::filesystem::remove_all(dir);

  // Progress in Redis.
  RedisClient redis(b.run.stack().redisUrl);
  auto generated = redis.command({"HGET", events::bulkProgressKey("b-csv"), "generated"});
  REQUIRE(generated);
  CHECK(std::string(generated->str, generated->len) == "12");
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);

  // Replay: the qr schema and Redis rebuilt from the topics equal the live ones (the object
  // steps come back from the attempt ledger, digests are redrawn); nothing is emitted or stored again.
  auto timesBefore = b.objectTimes();
  int rc = -1;
  auto out = b.replayVerify(&rc);
  MESSAGE(out);
  CHECK(rc == 0);
  CHECK(out.find("verify OK") != std::string::npos);
  CHECK(b.read(0, events::BulkBatchCompleted::type).size() == 1);
  CHECK(b.read(1, events::NotificationRequested::type).size() == 1);
  CHECK(b.objectTimes() == timesBefore);
  CHECK(timesBefore.size() == 12 * 2 + 3);  // the codes, the report, the archive and the upload
}

TEST_CASE("bulk-qr: batches refused whole get a rejected completion, not a dead letter") {
  BulkRun b("rejected", {{"BULK_QR_MAX_ITEMS", "100"}});
  auto worker = b.start();
  b.submitCsv("b-digest", "url\nhttps://a\n", {}, std::string(64, 'a'));
  b.submitCsv("b-nodata", "name,label\nx,y\n");
  b.submitCsv("b-toomany", manyRows(101));
  for (const char* id : {"b-digest", "b-nodata", "b-toomany"}) CHECK(b.waitStatus(id, "rejected", 60s));
  auto completed = b.read(0, events::BulkBatchCompleted::type);
  REQUIRE(completed.size() == 3);
  std::map<std::string, std::string> errors;
  for (const auto& e : completed) errors[e.payload["batchId"]] = e.payload.value("error", "");
  CHECK(errors["b-digest"].find("SHA-256 differs") != std::string::npos);
  CHECK(errors["b-nodata"].find("names no data column") != std::string::npos);
  CHECK(errors["b-toomany"].find("at most 100") != std::string::npos);
  CHECK(b.run.deadLetters().empty());
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
}

TEST_CASE("bulk-qr: a batch cancelled mid-way stops its remaining chunks") {
  // One chunk at a time, of 10 large codes (4096 px, a few hundred ms a chunk): slow enough to stop in the middle.
  BulkRun b("cancel", {{"BULK_QR_CHUNK_SIZE", "10"}, {"OUTSIDE_TARGET_CONCURRENCY", "1"}, {"BATCH_MAX_EVENTS", "1"},
                       {"APPLY_LANES", "1"}});
  auto worker = b.start();
  events::QrOptions large;
  large.sizePx = 4096;
  b.submitCsv("b-cancel", manyRows(2000), large);
  REQUIRE(waitUntil([&] { return b.run.count("SELECT count(*) FROM qr.chunks WHERE batch_id = 'b-cancel'") >= 5; }, 60s));
  b.produce("b-cancel", events::BulkBatchCancelled::type, {{"batchId", "b-cancel"}, {"reason", "wrong file"}});
  REQUIRE(b.waitStatus("b-cancel", "cancelled", 120s));
  auto generated = b.run.count("SELECT count(*) FROM qr.chunks WHERE batch_id = 'b-cancel' AND status = 'generated'");
  auto skipped = b.run.count("SELECT count(*) FROM qr.chunks WHERE batch_id = 'b-cancel' AND status = 'cancelled'");
  CHECK(generated + skipped == 200);
  CHECK(skipped > 100);
  CHECK(b.run.count("SELECT count(*) FROM qr.items WHERE batch_id = 'b-cancel'") == generated * 10);
  auto completed = b.read(0, events::BulkBatchCompleted::type);
  REQUIRE(completed.size() == 1);
  CHECK(completed[0].payload["status"] == "cancelled");
  CHECK(completed[0].payload["generated"] == generated * 10);
  CHECK(b.read(1, events::NotificationRequested::type).empty());
  CHECK_FALSE(b.store.get("qr/owner-1/b-cancel/archive.zip"));
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  // A replay applies the cancellation at another point of the chunk stream; the ledger
  // still decides which chunks were drawn, so the state is the same.
  int rc = -1;
  auto out = b.replayVerify(&rc);
  MESSAGE(out);
  CHECK(rc == 0);
  CHECK(out.find("verify OK") != std::string::npos);
}

TEST_CASE("bulk-qr: 20,000 codes with a worker SIGKILLed twice and a second replica: every code once, one archive, one completion") {
  BulkRun b("kill", {{"BULK_QR_CHUNK_SIZE", "100"}});
  auto first = b.start();
  auto second = b.start();
  const int n = 20000;
  b.submitCsv("b-kill", manyRows(n));
  auto items = [&] { return b.run.count("SELECT count(*) FROM qr.items WHERE batch_id = 'b-kill'"); };
  for (long long at : {4000LL, 11000LL}) {
    REQUIRE(waitUntil([&] { return items() >= at; }, 240s, 20ms));
    first->kill(SIGKILL);
    first->wait(10s);
    first = b.start();
  }
  REQUIRE(b.waitStatus("b-kill", "completed", 300s));
  CHECK(items() == n);
  CHECK(b.run.count("SELECT count(DISTINCT data) FROM qr.items WHERE batch_id = 'b-kill' AND failure IS NULL") == n);
  CHECK(b.run.count("SELECT count(*) FROM qr.chunks WHERE batch_id = 'b-kill' AND status = 'generated'") == n / 100);
  CHECK(b.run.count("SELECT generated FROM qr.batches WHERE batch_id = 'b-kill'") == n);
  // Counted at the receiving end: one completion, one notification, one archive with every code.
  auto completed = b.read(0, events::BulkBatchCompleted::type);
  CHECK(completed.size() == 1);
  CHECK(b.read(1, events::NotificationRequested::type).size() == 1);
  auto archive = b.store.get("qr/owner-1/b-kill/archive.zip");
  REQUIRE(archive);
  auto file = std::filesystem::temp_directory_path() / ("bulk-qr-kill-" + randomUuid() + ".zip");
  std::ofstream(file, std::ios::binary).write(archive->data(), static_cast<std::streamsize>(archive->size()));
  auto listing = lines(shell("unzip -Z1 '" + file.string() + "'"));
  std::filesystem::remove(file);
  CHECK(listing.size() == static_cast<std::size_t>(n));
  CHECK(std::set<std::string>(listing.begin(), listing.end()).size() == static_cast<std::size_t>(n));
  auto stored = b.store.list("qr/owner-1/b-kill/");
  CHECK(stored.size() == static_cast<std::size_t>(n) + 1);  // every code and the archive; the parts are gone
  for (auto* w : {first.get(), second.get()}) w->kill(SIGTERM);
  CHECK(first->wait(30s) == 0);
  CHECK(second->wait(30s) == 0);
}
