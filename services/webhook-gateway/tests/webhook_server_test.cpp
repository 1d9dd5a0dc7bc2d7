#include <doctest/doctest.h>
#include <httplib.h>

#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

#include "stripe_signature.h"
#include "webhook_server.h"

using namespace qrfleet;
using namespace qrfleet::webhook;

namespace {

constexpr const char* kServerSecret = "whsec_server";
constexpr const char* kServerBody =
    R"({"id":"evt_srv","object":"event","type":"charge.succeeded","created":1795428929,)"
    R"("data":{"object":{"id":"ch_srv","amount":1999,"currency":"eur","customer":"cus_42"}}})";

// A Kafka stand-in: each produced event waits for the test to acknowledge or fail it,
// or is answered at once in the mode set.
class FakeKafka {
 public:
  enum class Mode { ack, fail, hold };

  PaymentEventSink sink() {
    return {[this](const std::string& key, const Envelope& event, const std::string&,
                   std::function<void(Acknowledgement)> done) {
              {
                std::lock_guard lock(mutex_);
                keys.push_back(key);
                events.push_back(event);
                if (mode == Mode::hold) return held_.push_back(std::move(done));
              }
              // At once, inside produce(), as librdkafka does when its queue refuses.
              if (mode == Mode::ack) done(std::nullopt);
              else done("payment-events: Local: Message timed out");
            },
            [this] { return reachable.load(); }};
  }
  void acknowledgeHeld() {
    std::deque<std::function<void(Acknowledgement)>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& done : held) done(std::nullopt);
  }
  std::size_t produced() {
    std::lock_guard lock(mutex_);
    return events.size();
  }

  std::atomic<Mode> mode{Mode::ack};
  std::atomic<bool> reachable{true};
  std::vector<std::string> keys;
  std::vector<Envelope> events;

 private:
  std::mutex mutex_;
  std::deque<std::function<void(Acknowledgement)>> held_;
};

struct RunningGateway {
  explicit RunningGateway(std::size_t bodyLimit = 262144) {
    settings.bind = "127.0.0.1";
    settings.port = 0;
    settings.threads = 8;
    settings.bodyLimitBytes = bodyLimit;
    settings.ackTimeout = std::chrono::milliseconds(300);
    ProviderSettings stripe;
    stripe.name = "stripe";
    stripe.scheme = "stripe";
    stripe.secrets = {kServerSecret};
    std::vector<std::unique_ptr<WebhookAdapter>> adapters;
    adapters.push_back(makeWebhookAdapter(stripe));
    server = std::make_unique<WebhookServer>(settings, std::move(adapters), kafka.sink(), metrics, log);
    port = server->start();
  }

  httplib::Result post(const std::string& path, const std::string& body, bool sign = true) {
    httplib::Client client("127.0.0.1", port);
    return post(client, path, body, sign);
  }
  static httplib::Result post(httplib::Client& client, const std::string& path, const std::string& body, bool sign = true) {
    httplib::Headers headers;
    auto t = nowMillis() / 1000;
    if (sign) headers.emplace("Stripe-Signature", "t=" + std::to_string(t) + ",v1=" + stripeSignature(kServerSecret, t, body));
    return client.Post(path.c_str(), headers, body, "application/json");
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    return client.Get(path.c_str());
  }

  GatewaySettings settings;
  FakeKafka kafka;
  RuntimeMetrics metrics{"webhook-gateway", "test"};
  std::ostringstream logs;
  JsonLogger log{"webhook-gateway", LogLevel::debug, logs};
  std::unique_ptr<WebhookServer> server;
  int port = 0;
};

}  // namespace

TEST_CASE("server: 200 only once Kafka acknowledged; 503 with Retry-After when it did not") {
  RunningGateway g;
  auto ok = g.post("/webhooks/stripe", kServerBody);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto answer = nlohmann::json::parse(ok->body);
  CHECK(answer["received"] == true);
  REQUIRE(g.kafka.produced() == 1);
  CHECK(answer["eventId"] == g.kafka.events[0].eventId);
  CHECK(g.kafka.keys[0] == "cus_42");
  CHECK(ok->get_header_value("Content-Type") == "application/json");

  g.kafka.mode = FakeKafka::Mode::fail;
  auto failed = g.post("/webhooks/stripe", kServerBody);
  REQUIRE(failed);
  CHECK(failed->status == 503);
  CHECK(failed->get_header_value("Retry-After") == "5");

  g.kafka.mode = FakeKafka::Mode::hold;  // no answer within WEBHOOK_ACK_TIMEOUT_MS
  auto slow = g.post("/webhooks/stripe", kServerBody);
  REQUIRE(slow);
  CHECK(slow->status == 503);
  CHECK(slow->get_header_value("Retry-After") == "5");
  g.kafka.acknowledgeHeld();

  auto text = g.get("/metrics");
  REQUIRE(text);
  CHECK(text->status == 200);
  INFO(text->body);
  CHECK(text->body.find(R"(qrfleet_webhooks_total{service="webhook-gateway",outcome="accepted",provider="stripe"} 1)") !=
        std::string::npos);
  CHECK(text->body.find(R"(qrfleet_webhooks_total{service="webhook-gateway",outcome="kafka_unavailable",provider="stripe"} 2)") !=
        std::string::npos);
  CHECK(text->body.find(R"(qrfleet_webhook_duration_seconds_bucket{service="webhook-gateway",provider="stripe",le="0.0005"})") !=
        std::string::npos);
}

TEST_CASE("server: unknown providers, bad signatures and oversized bodies, on one kept-alive connection") {
  RunningGateway g(1024);
  httplib::Client client("127.0.0.1", g.port);
  client.set_keep_alive(true);
  auto unknown = RunningGateway::post(client, "/webhooks/paypal", kServerBody);
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(nlohmann::json::parse(unknown->body) == nlohmann::json{{"error", "unknown provider"}});

  auto unsigned_ = RunningGateway::post(client, "/webhooks/stripe", kServerBody, false);
  REQUIRE(unsigned_);
  CHECK(unsigned_->status == 400);
  CHECK(nlohmann::json::parse(unsigned_->body) == nlohmann::json{{"error", "missing signature header"}});

  auto large = RunningGateway::post(client, "/webhooks/stripe", std::string(4096, ' ') + kServerBody);
  REQUIRE(large);
  CHECK(large->status == 413);

  // A chunked body has no Content-Length to refuse it by: it is measured as it arrives.
  auto chunked = client.Post("/webhooks/stripe", [](std::size_t, httplib::DataSink& sink) {
    std::string chunk(1000, ' ');
    for (int i = 0; i < 4; ++i) sink.write(chunk.data(), chunk.size());
    sink.done();
    return true;
  }, "application/json");
  REQUIRE(chunked);
  CHECK(chunked->status == 413);

  // The connection is still in step: the next request on it is answered as usual.
  auto ok = RunningGateway::post(client, "/webhooks/stripe", kServerBody);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(g.kafka.produced() == 1);

  auto nowhere = client.Get("/nowhere");
  REQUIRE(nowhere);
  CHECK(nowhere->status == 404);
  CHECK(nlohmann::json::parse(nowhere->body)["error"] == "not found");
}

TEST_CASE("server: readiness follows Kafka, turns 503 on shutdown, and requests in flight are still answered") {
  RunningGateway g;
  CHECK(g.get("/healthz")->status == 200);
  CHECK(g.get("/readyz")->status == 200);

  g.kafka.mode = FakeKafka::Mode::hold;
  std::optional<int> inFlightStatus;
  std::thread request([&] {
    auto r = g.post("/webhooks/stripe", kServerBody);
    if (r) inFlightStatus = r->status;
  });
  while (g.kafka.produced() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  g.server->beginShutdown();
  CHECK(g.get("/readyz")->status == 503);
  CHECK(g.get("/healthz")->status == 200);
  std::thread acknowledger([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    g.kafka.acknowledgeHeld();
  });
  g.server->stop();  // returns once the request in flight is answered
  request.join();
  acknowledger.join();
  CHECK(inFlightStatus == 200);
  CHECK_FALSE(g.server->serving());
  CHECK_FALSE(g.get("/healthz"));  // the port is closed
}

TEST_CASE("server: readiness is 503 while Kafka is unreachable") {
  RunningGateway g;
  g.kafka.reachable = false;
  CHECK(g.get("/readyz")->status == 503);
}
