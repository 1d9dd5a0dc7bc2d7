// qrfleet-webhook-gateway and qrfleet-payments against the real stack:
// webhooks signed by Stripe's own Python library (tests/webhooks) and by the
// HMAC adapter, duplicate and concurrent deliveries, reverse-order
// subscriptions, over-refunds, the gateway SIGKILLed while the sender retries
// like Stripe, Kafka down (503, never a 2xx before it is back), and dunning
// across worker restarts against a Stripe-shaped API (tests/provider). Every
// test ends with the ledger balanced per currency.
#include <doctest/doctest.h>
#include <openssl/hmac.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "provider_server.h"
#include "qrfleet/hex.h"
#include "qrfleet/time_format.h"
#include "worker_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kStripeSecret = "whsec_test_current";
constexpr const char* kAcmeSecret = "acme-shared-secret";

std::int64_t nowSeconds() { return nowMillis() / 1000; }

json stripeEvent(const std::string& id, const std::string& type, std::int64_t created, json object) {
  return {{"id", id},           {"object", "event"},     {"api_version", "2024-06-20"}, {"created", created},
          {"livemode", false},  {"pending_webhooks", 1}, {"type", type},
          {"data", {{"object", std::move(object)}}}};
}

json charge(const std::string& id, const std::string& customer, std::int64_t amount, const std::string& currency,
            const std::string& status = "succeeded", const std::string& fingerprint = "fp_card_1") {
  json c = {{"id", id},
            {"object", "charge"},
            {"amount", amount},
            {"currency", currency},
            {"customer", customer},
            {"status", status},
            {"paid", status == "succeeded"},
            {"payment_method_details", {{"type", "card"}, {"card", {{"brand", "visa"}, {"fingerprint", fingerprint}}}}}};
  if (status == "failed") {
    c["failure_code"] = "card_declined";
    c["failure_message"] = "Your card was declined.";
  }
  return c;
}

json chargeRefunded(const std::string& chargeId, const std::string& customer, std::int64_t amount,
                    const std::string& refundId, std::int64_t refundAmount) {
  auto c = charge(chargeId, customer, amount, "eur");
  c["amount_refunded"] = refundAmount;
  json refund = {{"id", refundId}, {"object", "refund"}, {"amount", refundAmount}, {"charge", chargeId},
                 {"currency", "eur"}, {"status", "succeeded"}};
  c["refunds"] = {{"object", "list"}, {"data", json::array({refund})}};
  return c;
}

json subscription(const std::string& id, const std::string& customer, const std::string& status,
                  const std::string& price, std::int64_t periodStart) {
  json item = {{"price", {{"id", price}, {"unit_amount", 1999}, {"currency", "eur"}}}};
  return {{"id", id},
          {"object", "subscription"},
          {"customer", customer},
          {"status", status},
          {"cancel_at_period_end", false},
          {"current_period_start", periodStart},
          {"current_period_end", periodStart + 30 * 86400},
          {"items", {{"object", "list"}, {"data", json::array({item})}}}};
}

struct Delivery {
  std::string id;
  int status = 0;
  int attempts = 0;
  bool stripeAccepts = false;
  std::vector<int> statuses;
  double answeredAt = 0;
};

struct PaymentsRun {
  ProviderServer stripeApi{"payments-stripe-api", "sk_test_dunning"};
  std::map<std::string, std::string> env;
  WorkerRun run;
  std::unique_ptr<WorkerProcess> gateway;
  int gatewayPort = 0;
  int gateways = 0;
  std::string name;

  explicit PaymentsRun(const std::string& runName, std::map<std::string, std::string> extra = {})
      : env(workerEnv(extra)),
        run({"qrfleet-payments", "payments", "payments-" + runName, {{"payment-events", 3}},
             {{"payment-notifications", 1}, {"payment-audit", 1}}, true, true, env}),
        name(runName) {
    stripeApi.reset();
  }

  std::map<std::string, std::string> workerEnv(const std::map<std::string, std::string>& extra) const {
    std::map<std::string, std::string> e{{"PAYMENTS_STRIPE_API_URL", stripeApi.url()},
                                         {"PAYMENTS_STRIPE_API_KEY", "sk_test_dunning"},
                                         {"PAYMENTS_DUNNING_INTERVAL_MS", "200"},
                                         {"RETRY_TOPIC_DELAYS_MS", "200"},
                                         {"RETRY_TOPIC_ATTEMPTS", "10"},
                                         {"MAX_EVENT_BYTES", "1048576"}};
    for (const auto& [k, v] : extra) e[k] = v;
    return e;
  }

  std::unique_ptr<WorkerProcess> startWorker() {
    auto w = run.startWorker({{"PAYMENTS_NOTIFICATIONS_TOPIC", run.output(0)}, {"PAYMENTS_AUDIT_TOPIC", run.output(1)}});
    REQUIRE_MESSAGE(run.waitReady(120s), "payments worker never became ready; see " << w->logPath());
    return w;
  }

  void startGateway(std::map<std::string, std::string> extra = {}) {
    if (gatewayPort == 0) gatewayPort = freePort();
    json providers = json::array(
        {{{"name", "stripe"}, {"scheme", "stripe"}, {"secretsEnv", "TEST_STRIPE_SECRETS"}, {"toleranceSeconds", 300}},
         {{"name", "acme"}, {"scheme", "hmac-sha256"}, {"header", "X-Acme-Signature"}, {"secretsEnv", "TEST_ACME_SECRET"}}});
    std::map<std::string, std::string> env{{"KAFKA_BROKERS", run.stack().brokers},
                                           {"WEBHOOK_TOPIC", run.topic()},
                                           {"WEBHOOK_PORT", std::to_string(gatewayPort)},
                                           {"WEBHOOK_BIND", "127.0.0.1"},
                                           {"WEBHOOK_PROVIDERS", providers.dump()},
                                           // Rotation: the old secret still verifies, as Stripe allows for 24 h.
                                           {"TEST_STRIPE_SECRETS", std::string("whsec_test_previous,") + kStripeSecret},
                                           {"TEST_ACME_SECRET", kAcmeSecret},
                                           {"WEBHOOK_BODY_LIMIT_BYTES", "65536"},
                                           {"LOG_LEVEL", "info"}};
    for (const auto& [k, v] : extra) env[k] = v;
    gateway = std::make_unique<WorkerProcess>(
        run.stack().binDir + "/qrfleet-webhook-gateway", env,
        std::string(QRFLEET_TEST_LOG_DIR) + "/gateway-" + name + "-" + std::to_string(++gateways) + ".log");
    bool ready = waitUntil([&] {
      int status = 0;
      httpGet(gatewayPort, "/readyz", &status);
      return status == 200;
    }, 60s);
    REQUIRE_MESSAGE(ready, "the gateway never became ready; see " << gateway->logPath());
  }

  std::string url(const std::string& provider = "stripe") const {
    return "http://127.0.0.1:" + std::to_string(gatewayPort) + "/webhooks/" + provider;
  }

  // Sends the events through tests/webhooks/stripe_webhooks.py (signed by Stripe's library).
  std::vector<Delivery> send(const std::vector<json>& events, const std::string& options = "") const {
    static int files = 0;
    auto path = std::filesystem::path(QRFLEET_TEST_LOG_DIR) / ("stripe-events-" + name + "-" + std::to_string(++files) + ".jsonl");
    {
      std::ofstream out(path);
      for (const auto& e : events) out << e.dump() << "\n";
    }
    int rc = 0;
    auto out = runCommand(requireEnv("QRFLEET_STRIPE_PYTHON") + " " + QRFLEET_SOURCE_DIR +
                              "/tests/webhooks/stripe_webhooks.py --url " + url() + " --secret " + kStripeSecret +
                              " --events " + path.string() + " " + options + " 2>&1",
                          &rc);
    REQUIRE_MESSAGE(rc == 0, "stripe_webhooks.py failed: " << out);
    std::vector<Delivery> results;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      auto j = json::parse(line);
      results.push_back({j["id"], j["status"], j["attempts"], j["stripeAccepts"], j["statuses"].get<std::vector<int>>(),
                         j["answeredAt"]});
    }
    REQUIRE(results.size() >= events.size());
    return results;
  }

  // POST with curl (what the HMAC adapter and the size limit tests need); returns the status.
  int post(const std::string& provider, const std::string& body, const std::vector<std::string>& headers) const {
    static int files = 0;
    auto path = std::filesystem::path(QRFLEET_TEST_LOG_DIR) / ("body-" + name + "-" + std::to_string(++files));
    std::ofstream(path, std::ios::binary) << body;
    std::string cmd = "curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json'";
    for (const auto& h : headers) cmd += " -H '" + h + "'";
    cmd += " --data-binary @" + path.string() + " " + url(provider);
    int rc = 0;
    auto out = runCommand(cmd, &rc);
    return std::atoi(out.c_str());
  }

  // `qrfleet replay payments --verify` with the worker's environment: the
  // state rebuilt from the topic must equal the state the worker left.
  std::string replayVerify(int* rc) const {
    std::string envs;
    for (const auto& [k, v] : env) envs += k + "='" + v + "' ";
    return runCommand(envs + "PAYMENTS_NOTIFICATIONS_TOPIC=" + run.output(0) + " PAYMENTS_AUDIT_TOPIC=" + run.output(1) +
                          " KAFKA_TOPICS=" + run.topic() + " KAFKA_GROUP_ID=" + run.group() + " " +
                          run.stack().binDir + "/qrfleet replay payments --verify 2>&1",
                      rc);
  }

  long long count(const std::string& sql) const { return run.count(sql); }
  bool waitCount(const std::string& sql, long long expected, std::chrono::milliseconds timeout = 60s) const {
    return waitUntil([&] { return count(sql) == expected; }, timeout);
  }
  std::string scalar(const std::string& sql) const {
    pqxx::connection c(run.stack().databaseUrl);
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }

  // Every money movement balanced: each transaction and each currency sums to zero.
  void checkLedgerBalanced() const {
    CHECK(count("SELECT count(*) FROM payments.unbalanced_transactions") == 0);
    CHECK(count("SELECT count(*) FROM (SELECT currency FROM payments.ledger_entries GROUP BY currency "
                "HAVING sum(amount) <> 0) t") == 0);
  }
};

std::string hmacHex(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  return toHex(mac, len);
}

}  // namespace

TEST_CASE("payments: webhooks signed by Stripe's library are applied; a wrong secret, a stale timestamp, a missing "
          "header, a tampered body and an oversized body are refused") {
  PaymentsRun p("signatures");
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds();
  std::vector<json> events = {stripeEvent("evt_sig_ok", "charge.succeeded", t, charge("ch_sig_ok", "cus_sig", 1999, "eur"))};
  auto ok = p.send(events);
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].status == 200);
  CHECK(ok[0].stripeAccepts);

  struct Refusal {
    const char* what;
    std::string options;
  };
  for (const auto& r : {Refusal{"wrong secret", "--sign-secret whsec_someone_else"},
                        Refusal{"stale timestamp", "--timestamp-offset -400"},
                        Refusal{"missing header", "--no-header"}, Refusal{"tampered body", "--tamper"}}) {
    CAPTURE(r.what);
    auto bad = p.send({stripeEvent(std::string("evt_sig_") + r.what[0] + r.what[1], "charge.succeeded", t,
                                   charge("ch_sig_bad", "cus_sig", 5000, "eur"))},
                      r.options);
    CHECK(bad[0].status == 400);
    CHECK_FALSE(bad[0].stripeAccepts);  // Stripe's library refuses it too
  }
  // A secret being rotated out still verifies.
  auto rotated = p.send({stripeEvent("evt_sig_rotated", "charge.succeeded", t, charge("ch_sig_rot", "cus_sig", 700, "eur"))},
                        "--sign-secret whsec_test_previous");
  CHECK(rotated[0].status == 200);

  // Over WEBHOOK_BODY_LIMIT_BYTES (64 KiB here): 413 before verification.
  auto big = stripeEvent("evt_sig_big", "charge.succeeded", t, charge("ch_sig_big", "cus_sig", 100, "eur"));
  big["data"]["object"]["metadata"] = {{"padding", std::string(70000, 'x')}};
  CHECK(p.send({big})[0].status == 413);

  // The second adapter: an HMAC of the raw body in X-Acme-Signature, the generic body.
  json acme = {{"id", "acme-evt-1"},
               {"type", "payment.succeeded"},
               {"created", formatRfc3339Millis(nowMillis())},
               {"data", {{"providerObjectId", "acme-pay-1"}, {"customerId", "cus_sig"}, {"amount", 2500}, {"currency", "SEK"}}}};
  auto body = acme.dump();
  CHECK(p.post("acme", body, {"X-Acme-Signature: sha256=" + hmacHex(kAcmeSecret, body)}) == 200);
  CHECK(p.post("acme", body, {"X-Acme-Signature: sha256=" + hmacHex("not-the-secret", body)}) == 400);
  CHECK(p.post("acme", body, {}) == 400);
  CHECK(p.post("nobody", body, {}) == 404);

  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 3));
  CHECK(p.count("SELECT count(*) FROM payments.payments WHERE state = 'succeeded'") == 3);
  CHECK(p.count("SELECT count(*) FROM payments.payments WHERE provider = 'acme' AND currency = 'SEK' AND amount = 2500") == 1);
  // The raw body is kept byte for byte.
  CHECK(p.scalar("SELECT body FROM payments.webhook_bodies WHERE provider_event_id = 'evt_sig_ok'") == events[0].dump());
  CHECK(p.scalar("SELECT body FROM payments.webhook_bodies WHERE provider_event_id = 'acme-evt-1'") == body);
  p.checkLedgerBalanced();
}

TEST_CASE("payments: the same webhook delivered 5 times concurrently and again a day later is applied once") {
  PaymentsRun p("duplicates");
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds() - 86400;  // the event is a day old when redelivered below
  json refund = {{"id", "re_dup"}, {"object", "refund"}, {"amount", 1000}, {"currency", "eur"}, {"charge", "ch_dup"},
                 {"status", "succeeded"}};
  std::vector<json> events = {
      stripeEvent("evt_dup_pay", "charge.succeeded", t, charge("ch_dup", "cus_dup", 4200, "eur")),
      // Its object names no customer: keyed charge:ch_dup, on another partition than its payment.
      stripeEvent("evt_dup_refund", "refund.created", t + 60, refund),
      // Stripe's second report of the same refund: answered 200 and ignored (refund.created says it).
      stripeEvent("evt_dup_charge_refunded", "charge.refunded", t + 60,
                  chargeRefunded("ch_dup", "cus_dup", 4200, "re_dup", 1000))};
  for (const auto& d : p.send(events, "--repeat 5 --concurrency 5")) CHECK(d.status == 200);
  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 2));
  // The worker restarted, then Stripe redelivers both (signed anew, as Stripe does).
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  worker = p.startWorker();
  for (const auto& d : p.send(events)) CHECK(d.status == 200);
  // Every delivery of the two normalized events reached Kafka: 12 messages, 2 events.
  REQUIRE(waitUntil([&] { return readEnvelopes(p.run.stack(), p.run.topic()).size() == 12; }, 30s));
  REQUIRE(p.run.waitCaughtUp(60s));
  CHECK(p.count("SELECT count(*) FROM payments.webhook_events") == 2);
  CHECK(p.count("SELECT count(*) FROM payments.payments") == 1);
  CHECK(p.scalar("SELECT state || ' ' || refunded_amount FROM payments.payments WHERE provider_payment_id = 'ch_dup'") ==
        "partially_refunded 1000");
  CHECK(p.count("SELECT count(*) FROM payments.ledger_transactions") == 2);
  CHECK(p.count("SELECT count(*) FROM payments.ledger_entries") == 4);
  CHECK(p.scalar("SELECT sum(amount) FROM payments.ledger_entries WHERE account = 'revenue'") == "-4200");
  CHECK(p.scalar("SELECT sum(amount) FROM payments.ledger_entries WHERE account = 'refunds'") == "1000");
  // The refund's customer is its payment's, whichever event named it.
  CHECK(p.count("SELECT count(*) FROM payments.ledger_transactions WHERE customer_id <> 'cus_dup'") == 0);
  p.checkLedgerBalanced();
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  int rc = 0;
  auto out = p.replayVerify(&rc);
  CHECK_MESSAGE(rc == 0, out);
}

TEST_CASE("payments: a subscription's events delivered in reverse order end in the in-order state") {
  PaymentsRun p("reverse");
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds() - 3600;
  auto history = [&](const std::string& sub, const std::string& prefix) {
    auto a = subscription(sub, "cus_rev", "incomplete", "price_basic", t);
    auto b = subscription(sub, "cus_rev", "active", "price_basic", t);
    auto c = subscription(sub, "cus_rev", "active", "price_pro", t);
    auto d = subscription(sub, "cus_rev", "past_due", "price_pro", t + 30 * 86400);
    auto e = subscription(sub, "cus_rev", "canceled", "price_pro", t + 30 * 86400);
    // created and the first update in the same second, as Stripe often sends them.
    return std::vector<json>{stripeEvent(prefix + "1", "customer.subscription.created", t, a),
                             stripeEvent(prefix + "2", "customer.subscription.updated", t, b),
                             stripeEvent(prefix + "3", "customer.subscription.updated", t + 100, c),
                             stripeEvent(prefix + "4", "customer.subscription.updated", t + 200, d),
                             stripeEvent(prefix + "5", "customer.subscription.deleted", t + 300, e)};
  };
  auto inOrder = history("sub_in_order", "evt_in_");
  auto reversed = history("sub_reversed", "evt_rev_");
  std::reverse(reversed.begin(), reversed.end());
  for (const auto& d : p.send(inOrder)) CHECK(d.status == 200);
  for (const auto& d : p.send(reversed)) CHECK(d.status == 200);
  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 10));
  REQUIRE(p.run.waitCaughtUp(60s));
  auto state = [&](const std::string& sub) {
    return p.scalar("SELECT concat_ws(' ', status, plan, current_period_start, current_period_end, cancel_at_period_end, "
                    "version_at) FROM payments.subscriptions WHERE provider_subscription_id = '" + sub + "'");
  };
  CHECK(state("sub_in_order").rfind("canceled price_pro", 0) == 0);
  CHECK(state("sub_reversed") == state("sub_in_order"));
  p.checkLedgerBalanced();
}

TEST_CASE("payments: a refund larger than the payment is recorded as rejected and leaves the ledger unchanged") {
  PaymentsRun p("over-refund");
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds();
  for (const auto& d : p.send({stripeEvent("evt_or_pay", "charge.succeeded", t, charge("ch_or", "cus_or", 1000, "eur")),
                               stripeEvent("evt_or_r1", "refund.created", t + 1,
                                           {{"id", "re_or_1"}, {"object", "refund"}, {"amount", 600}, {"currency", "eur"},
                                            {"charge", "ch_or"}}),
                               stripeEvent("evt_or_r2", "refund.created", t + 2,
                                           {{"id", "re_or_2"}, {"object", "refund"}, {"amount", 500}, {"currency", "eur"},
                                            {"charge", "ch_or"}, {"metadata", {{"customerId", "cus_or"}}}}),
                               // A $0 card verification: a payment, no money moved, no ledger entries.
                               stripeEvent("evt_or_zero", "charge.succeeded", t + 3, charge("ch_or_zero", "cus_or", 0, "eur"))}))
    CHECK(d.status == 200);
  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 4));
  REQUIRE(p.run.waitCaughtUp(60s));
  CHECK(p.scalar("SELECT state || ' ' || refunded_amount FROM payments.payments WHERE provider_payment_id = 'ch_or'") ==
        "partially_refunded 600");
  CHECK(p.count("SELECT count(*) FROM payments.payment_transitions WHERE provider_event_id = 'evt_or_r2' AND NOT applied") == 1);
  CHECK(p.scalar("SELECT sum(amount) FROM payments.ledger_entries WHERE account = 'refunds'") == "600");
  CHECK(p.count("SELECT count(*) FROM payments.ledger_transactions") == 2);
  CHECK(p.scalar("SELECT state FROM payments.payments WHERE provider_payment_id = 'ch_or_zero'") == "succeeded");
  p.checkLedgerBalanced();
}

TEST_CASE("payments: the gateway SIGKILLed mid-request while the sender retries like Stripe: every event applied once") {
  PaymentsRun p("gateway-kill");
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds();
  std::vector<json> events;
  for (int i = 0; i < 400; ++i) {
    auto id = std::to_string(i);
    events.push_back(stripeEvent("evt_kill_" + id, "charge.succeeded", t,
                                 charge("ch_kill_" + id, "cus_kill_" + std::to_string(i % 37), 100 + i, "eur")));
  }
  std::vector<Delivery> results;
  // Paced so the stream lasts at least 5 s on any machine and the kills below land inside it.
  std::thread sender([&] { results = p.send(events, "--concurrency 8 --rate 80 --retry-seconds 120"); });
  for (int k = 0; k < 3; ++k) {
    std::this_thread::sleep_for(700ms);
    p.gateway->kill(SIGKILL);
    p.gateway->wait(10s);
    std::this_thread::sleep_for(300ms);
    p.startGateway();
  }
  sender.join();
  int retried = 0;
  for (const auto& d : results) {
    CHECK(d.status == 200);
    retried += d.attempts > 1;
  }
  MESSAGE(retried << " of 400 deliveries needed a retry");
  CHECK(retried > 0);  // the kills did land mid-stream
  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 400, 120s));
  REQUIRE(p.run.waitCaughtUp(60s));
  CHECK(p.count("SELECT count(*) FROM payments.payments") == 400);
  CHECK(p.count("SELECT count(*) FROM payments.ledger_entries") == 800);
  CHECK(p.scalar("SELECT -sum(amount) FROM payments.ledger_entries WHERE account = 'revenue'") ==
        std::to_string(400 * 100 + 399 * 400 / 2));
  p.checkLedgerBalanced();
}

TEST_CASE("payments: with Kafka stopped the gateway answers 503 and no 2xx until Kafka is back; nothing is lost") {
  PaymentsRun p("kafka-down");
  auto worker = p.startWorker();
  p.startGateway({{"WEBHOOK_ACK_TIMEOUT_MS", "2000"}});
  auto t = nowSeconds();
  std::vector<json> events;
  for (int i = 0; i < 30; ++i)
    events.push_back(stripeEvent("evt_down_" + std::to_string(i), "charge.succeeded", t,
                                 charge("ch_down_" + std::to_string(i), "cus_down_" + std::to_string(i % 5), 250, "eur")));
  p.run.stack().crash("kafka");
  std::vector<Delivery> results;
  std::thread sender([&] { results = p.send(events, "--concurrency 6 --retry-seconds 180"); });
  std::this_thread::sleep_for(8s);
  double back = static_cast<double>(nowMillis()) / 1000.0;
  p.run.stack().start("kafka");
  sender.join();
  int refused = 0;
  for (const auto& d : results) {
    CHECK(d.status == 200);
    CHECK(d.answeredAt > back);  // no 2xx while Kafka was down
    for (auto s : d.statuses) refused += s == 503;
    CHECK(std::count(d.statuses.begin(), d.statuses.end(), 200) == 1);
  }
  CHECK(refused > 0);
  REQUIRE(p.waitCount("SELECT count(*) FROM payments.webhook_events", 30, 180s));
  CHECK(p.count("SELECT count(*) FROM payments.payments") == 30);
  p.checkLedgerBalanced();
}

TEST_CASE("payments: dunning across worker restarts makes each retry, the cancellation and each notification once") {
  PaymentsRun p("dunning", {{"PAYMENTS_DUNNING_DELAYS", "2s,2s,2s"}, {"PAYMENTS_DUNNING_CANCEL_AFTER", "2s"}});
  // Every retry is declined; the cancellation succeeds.
  p.stripeApi.setMode({{"default", "ok"}, {"perTo", {{"in_dun", json::array({"402"})}}}});
  auto worker = p.startWorker();
  p.startGateway();
  auto t = nowSeconds();
  json invoice = {{"id", "in_dun"},      {"object", "invoice"},      {"customer", "cus_dun"},
                  {"subscription", "sub_dun"}, {"amount_due", 1999}, {"amount_paid", 0},
                  {"currency", "eur"},   {"attempt_count", 1},       {"status", "open"}};
  for (const auto& d : p.send({stripeEvent("evt_dun_sub", "customer.subscription.created", t - 10,
                                           subscription("sub_dun", "cus_dun", "active", "price_pro", t - 10)),
                               stripeEvent("evt_dun_fail", "invoice.payment_failed", t, invoice)}))
    CHECK(d.status == 200);
  // Restarts while the steps come due.
  for (int k = 0; k < 3; ++k) {
    std::this_thread::sleep_for(1500ms);
    worker->kill(SIGKILL);
    worker->wait(10s);
    worker = p.startWorker();
  }
  REQUIRE_MESSAGE(waitUntil([&] {
                    return p.scalar("SELECT status FROM payments.subscriptions WHERE provider_subscription_id = 'sub_dun'") ==
                           "canceled";
                  }, 90s),
                  "the subscription was never canceled; see " << worker->logPath());
  std::map<std::string, int> calls;
  for (const auto& r : p.stripeApi.requests()) ++calls[r.key];
  std::set<std::string> keys;
  for (const auto& [k, n] : calls) keys.insert(k);
  // One key per step's attempt (every attempt here is the first: each answer is final).
  CHECK(keys == std::set<std::string>{"dunning-in_dun-1-1", "dunning-in_dun-2-1", "dunning-in_dun-3-1", "dunning-in_dun-4-1"});
  // Notifications: one per step, whatever the restarts did (ids are deterministic; consumers de-duplicate by id).
  std::map<std::string, std::set<std::string>> notified;
  for (const auto& e : readEnvelopes(p.run.stack(), p.run.output(0)))
    notified[e.payload.value("template", "")].insert(e.eventId);
  CHECK(notified["payment.failed"].size() == 1);
  CHECK(notified["payment.retry-failed"].size() == 2);
  CHECK(notified["subscription.past-due"].size() == 1);
  CHECK(notified["subscription.canceled"].size() == 1);
  CHECK(p.count("SELECT count(*) FROM payments.dunning_steps WHERE invoice_id = 'in_dun'") == 4);
  p.checkLedgerBalanced();
  // A replay rebuilds the dunning from the log and the recorded calls: no call is made again.
  REQUIRE(p.run.waitCaughtUp(60s));
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  auto before = p.stripeApi.requests().size();
  int rc = 0;
  auto out = p.replayVerify(&rc);
  CHECK_MESSAGE(rc == 0, out);
  CHECK(p.stripeApi.requests().size() == before);
}
