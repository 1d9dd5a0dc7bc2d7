// qrfleet-notifications against the real stack, a real SMTP server
// (python3-aiosmtpd, STARTTLS and AUTH required) and local HTTP servers in
// the shapes of SendGrid, Twilio and FCM v1 (tests/provider): deliveries
// counted at the receiving end by idempotency key across SIGKILLs, failover
// and return, Retry-After, permanent refusals, urgent past a bulk backlog,
// a 1,000-transporter fan-out in batch calls, templates, expiry, deferral,
// location's v1 events, and replay --verify.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "provider_server.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/notification_contact.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/stores/redis_client.h"
#include "qrfleet/time_format.h"
#include "smtp_server.h"
#include "worker_run.h"

using namespace qrfleet;
using namespace qrfleet::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kUrgent = 0, kNormal = 1, kBulk = 2;  // route order

// Templates as an operator keeps them: files, loaded with `qrfleet notify templates load`.
void writeTemplates(const std::filesystem::path& dir) {
  auto put = [&](const std::string& name, const std::string& file, const std::string& text) {
    std::filesystem::create_directories(dir / name);
    std::ofstream(dir / name / file) << text;
  };
  put("welcome", "email.subject", "Welcome, {{name}}");
  put("welcome", "email.html", "<p>Hello {{name}}, your plan is {{plan}}.</p>");
  put("welcome", "email.txt", "Hello {{name}}, your plan is {{plan}}.");
  put("welcome", "email.de.subject", "Willkommen, {{name}}");
  put("welcome", "email.de.txt", "Hallo {{name}}, dein Tarif ist {{plan}}.");
  put("welcome", "sms.txt", "Hello {{name}}");
  put("welcome", "push.subject", "Hi {{name}}");
  put("welcome", "push.txt", "Your plan: {{plan}}");
  put("welcome", "in_app.txt", "Welcome {{name}}");
  put("booking.offer", "push.subject", "New booking {{bookingId}}");
  put("booking.offer", "push.txt", "Pickup {{distanceKm}} km away");
}

struct NotifyRun {
  SmtpServer smtp;
  ProviderServer mailApi{"notify-mail-api", "mail-token"};
  ProviderServer sms{"notify-sms", "sms-token"};
  ProviderServer push{"notify-push", "push-token"};
  std::map<std::string, std::string> env;
  WorkerRun run;

  explicit NotifyRun(const std::string& name, std::map<std::string, std::string> extra = {})
      : smtp("notify-" + name, "qrfleet", "smtp-secret", {"--reject-rcpt-domain", "invalid.example"}),
        env(settings(extra)),
        run({"qrfleet-notifications", "notify", "notify-" + name,
             {{"notifications-urgent", 2}, {"notifications", 3}, {"notifications-bulk", 2}},
             {{"notification-status", 1}}, true, true, env}) {
    auto dir = std::filesystem::path(QRFLEET_TEST_LOG_DIR) / ("templates-" + name);
    std::filesystem::remove_all(dir);
    writeTemplates(dir);
    int rc = 0;
    auto out = runCommand(envPrefix() + run.stack().binDir + "/qrfleet notify templates load " + dir.string() + " 2>&1", &rc);
    REQUIRE_MESSAGE(rc == 0, "qrfleet notify templates load failed: " << out);
    mailApi.reset();
    sms.reset();
    push.reset();
  }

  std::map<std::string, std::string> settings(const std::map<std::string, std::string>& extra) const {
    nlohmann::json providers = {
        {"email",
         {{{"name", "smtp-a"}, {"kind", "smtp"}, {"url", smtp.url()}, {"from", "QR Fleet <no-reply@qrfleet.test>"},
           {"user", smtp.user()}, {"passwordEnv", "TEST_SMTP_PASSWORD"}, {"caFile", smtp.caFile()},
           {"timeoutMs", 5000}},
          {{"name", "mail-api"}, {"kind", "sendgrid"}, {"url", mailApi.url()}, {"from", "no-reply@qrfleet.test"},
           {"tokenEnv", "TEST_MAIL_TOKEN"}, {"timeoutMs", 5000}}}},
        {"sms",
         {{{"name", "sms-a"}, {"kind", "twilio"}, {"url", sms.url()}, {"from", "+15550001111"},
           {"accountEnv", "TEST_SMS_ACCOUNT"}, {"tokenEnv", "TEST_SMS_TOKEN"}, {"timeoutMs", 5000}}}},
        {"push",
         {{{"name", "fcm"}, {"kind", "fcm"}, {"url", push.url()}, {"project", "qrfleet-test"},
           {"tokenEnv", "TEST_PUSH_TOKEN"}, {"timeoutMs", 5000}}}}};
    std::map<std::string, std::string> e{{"NOTIFY_PROVIDERS", providers.dump()},
                                         {"TEST_SMTP_PASSWORD", smtp.password()},
                                         {"TEST_MAIL_TOKEN", "mail-token"},
                                         {"TEST_SMS_ACCOUNT", "AC123"},
                                         {"TEST_SMS_TOKEN", "sms-token"},
                                         {"TEST_PUSH_TOKEN", "push-token"},
                                         {"NOTIFY_RECIPIENT_PER_MINUTE", "0"},
                                         {"NOTIFY_CIRCUIT_COOLDOWN_MS", "1000"},
                                         {"NOTIFY_RELEASE_INTERVAL_MS", "200"},
                                         {"RETRY_TOPIC_DELAYS_MS", "200"},
                                         {"RETRY_TOPIC_ATTEMPTS", "6"}};
    for (const auto& [k, v] : extra) e[k] = v;
    return e;
  }

  std::unique_ptr<WorkerProcess> start(std::map<std::string, std::string> extra = {}) {
    extra["NOTIFY_STATUS_TOPIC"] = run.output(0);
    auto worker = run.startWorker(extra);
    REQUIRE_MESSAGE(run.waitReady(120s), "notifications worker never became ready; see " << worker->logPath());
    return worker;
  }

  Envelope produce(std::size_t topic, const std::string& key, std::string_view type, int version,
                   nlohmann::json payload, bool flush = true) {
    Envelope e;
    e.eventId = randomUuid();
    e.eventType = std::string(type);
    e.version = version;
    e.timestampMs = nowMillis();
    e.source = "notifications-test";
    e.payload = std::move(payload);
    run.producer().produceEvent(run.topic(topic), key, e);
    if (flush) run.flush();
    return e;
  }
  Envelope request(std::size_t topic, const events::NotificationRequested& n, bool flush = true) {
    return produce(topic, n.recipientId, events::NotificationRequested::type, n.version(), n.toPayload(), flush);
  }
  void contact(const events::NotificationContactUpdated& c, bool flush = true) {
    produce(kNormal, c.recipientId, events::NotificationContactUpdated::type, 1, c.toPayload(), flush);
  }

  std::map<std::string, std::string> row(const std::string& notificationId) const {
    pqxx::connection c(run.stack().databaseUrl);
    pqxx::read_transaction t(c);
    auto r = t.exec_params(
        "SELECT status, coalesce(provider, ''), coalesce(provider_message_id, ''), coalesce(error, '')"
        " FROM notify.notifications WHERE notification_id = $1",
        notificationId);
    if (r.empty()) return {};
    return {{"status", r[0][0].as<std::string>()},
            {"provider", r[0][1].as<std::string>()},
            {"messageId", r[0][2].as<std::string>()},
            {"error", r[0][3].as<std::string>()}};
  }
  std::string status(const std::string& id) const {
    auto r = row(id);
    return r.empty() ? "" : r["status"];
  }
  bool waitFinal(long long expected, std::chrono::milliseconds timeout) const {
    return waitUntil([&] {
      return run.count("SELECT count(*) FROM notify.notifications WHERE status IN ('sent', 'failed', 'expired')") >=
             expected;
    }, timeout, 250ms);
  }
  std::vector<Envelope> statusEvents(std::string_view type) const {
    std::vector<Envelope> out;
    for (auto& e : readEnvelopes(run.stack(), run.output(0)))
      if (e.eventType == type) out.push_back(std::move(e));
    return out;
  }
  // The worker's environment, for the CLI commands that start it.
  std::string envPrefix() const {
    std::string envs;
    for (const auto& [k, v] : env) envs += k + "='" + v + "' ";
    return envs;
  }
  std::string replayVerify(int* rc) const {
    return runCommand(envPrefix() + "NOTIFY_STATUS_TOPIC=" + run.output(0) + " KAFKA_TOPICS=" + run.topic(0) + "," +
                          run.topic(1) + "," + run.topic(2) + " KAFKA_GROUP_ID=" + run.group() + " " +
                          run.stack().binDir + "/qrfleet replay notifications --verify 2>&1",
                      rc);
  }
};

events::NotificationRequested inlineRequest(const std::string& recipient, const std::string& channel,
                                            const std::string& id, const std::string& priority = "normal") {
  events::NotificationRequested n;
  n.recipientId = recipient;
  n.channel = channel;
  n.priority = priority;
  n.dedupeKey = id;
  n.subject = "Subject " + id;
  n.body = "Body of " + id;
  if (channel == "email") n.to.email = recipient + "@example.com";
  if (channel == "sms") {
    auto digits = std::to_string(1000000 + std::hash<std::string>{}(recipient) % 9000000);
    n.to.phone = "+49151" + digits;
  }
  if (channel == "push") n.to.deviceTokens = {"token-" + recipient};
  return n;
}

// Requests per idempotency key: what the receiving end saw.
std::map<std::string, int> keyCounts(const std::vector<ProviderRequest>& requests, int okStatusFrom = 200,
                                     int okStatusTo = 299) {
  std::map<std::string, int> out;
  for (const auto& r : requests)
    if (r.status >= okStatusFrom && r.status <= okStatusTo) out[r.key]++;
  return out;
}

}  // namespace

TEST_CASE("notifications: 2000 mixed notifications, the worker SIGKILLed three times: each delivered exactly once") {
  NotifyRun n("kills");
  constexpr int kPerChannel = 500;
  const std::vector<std::string> channels = {"email", "sms", "push", "in_app"};
  // The providers answer slowly enough that kills land mid-call.
  n.mailApi.setMode({{"default", "ok"}, {"delayMs", 5}});
  n.sms.setMode({{"default", "ok"}, {"delayMs", 5}});
  n.push.setMode({{"default", "ok"}, {"delayMs", 20}});
  std::vector<std::string> ids;
  for (int i = 0; i < kPerChannel; ++i)
    for (std::size_t c = 0; c < channels.size(); ++c) {
      auto id = channels[c] + "-" + std::to_string(i);
      auto topic = i % 10 == 0 ? kUrgent : i % 3 == 0 ? kBulk : kNormal;
      auto req = inlineRequest("usr-" + std::to_string(i % 97), channels[c], id,
                               topic == kUrgent ? "urgent" : topic == kBulk ? "bulk" : "normal");
      n.request(topic, req, false);
      ids.push_back(id);
    }
  n.run.flush();

  auto worker = n.start();
  std::mt19937 rng(7);
  for (int kill = 0; kill < 3; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + rng() % 800));
    worker->kill(SIGKILL);
    worker->wait(10s);
    worker = n.start();
  }
  REQUIRE_MESSAGE(n.waitFinal(static_cast<long long>(ids.size()), 300s),
                  "not every notification settled; see " << worker->logPath());
  CHECK(n.run.count("SELECT count(*) FROM notify.notifications WHERE status = 'sent'") ==
        static_cast<long long>(ids.size()));

  // Counted at the receiving ends. The one at-least-once window (a kill after
  // a provider answered, before the outcome was recorded) shows as a second
  // request with the same idempotency key, which a provider that honours the
  // key (as these shapes' real providers do) delivers once.
  auto smtpMessages = n.smtp.messages();
  std::map<std::string, int> smtpKeys;
  for (const auto& m : smtpMessages) smtpKeys[m.idempotencyKey]++;
  auto emailApiKeys = keyCounts(n.mailApi.requests());
  auto smsKeys = keyCounts(n.sms.requests());
  auto pushKeys = keyCounts(n.push.requests());
  std::size_t emailDelivered = smtpKeys.size();
  for (const auto& [k, c] : emailApiKeys)
    if (!smtpKeys.count(k)) ++emailDelivered;
  CHECK(emailDelivered == kPerChannel);
  CHECK(smsKeys.size() == kPerChannel);
  CHECK(pushKeys.size() == kPerChannel);
  int repeats = 0;
  for (const auto* counts : {&smtpKeys, &emailApiKeys, &smsKeys, &pushKeys})
    for (const auto& [k, c] : *counts) repeats += c - 1;
  MESSAGE("requests repeated with the same idempotency key (kills inside the at-least-once window): " << repeats);
  // At most the calls in flight at each kill: OUTSIDE_CONCURRENCY (32) per kill, and push batches of up to 500.
  CHECK(repeats <= 3 * 500);

  // In-app: exactly once in Redis (no provider in between).
  RedisClient redis(n.run.stack().redisUrl);
  long long inbox = 0;
  for (int r = 0; r < 97; ++r) {
    auto reply = redis.command({"XLEN", "notify:inbox:usr-" + std::to_string(r)});
    inbox += reply ? reply->integer : 0;
  }
  CHECK(inbox == kPerChannel);
  // One sent event per notification, however often its batch ran.
  std::set<std::string> sentIds;
  for (const auto& e : n.statusEvents("notification.sent")) sentIds.insert(e.payload.value("notificationId", ""));
  CHECK(sentIds.size() == ids.size());
  CHECK(n.run.deadLetters(kNormal).empty());
}

TEST_CASE("notifications: the primary email provider down, the secondary delivers; back up, traffic returns") {
  NotifyRun n("failover");
  auto worker = n.start();
  n.smtp.stop();
  for (int i = 0; i < 20; ++i) n.request(kNormal, inlineRequest("usr-f" + std::to_string(i), "email", "down-" + std::to_string(i)), false);
  n.run.flush();
  REQUIRE(n.waitFinal(20, 60s));
  for (int i = 0; i < 20; ++i) {
    auto r = n.row("down-" + std::to_string(i));
    CHECK(r["status"] == "sent");
    CHECK(r["provider"] == "mail-api");
  }
  CHECK(keyCounts(n.mailApi.requests()).size() == 20);

  n.smtp.start();
  std::this_thread::sleep_for(1500ms);  // the circuit's cool-down (NOTIFY_CIRCUIT_COOLDOWN_MS) passes
  // The first request after the cool-down probes the primary (the rest of its
  // batch, sent meanwhile, still goes to the secondary); once it succeeds the
  // circuit closes and everything goes to the primary again.
  n.request(kNormal, inlineRequest("usr-f0", "email", "probe"));
  REQUIRE(n.waitFinal(21, 60s));
  CHECK(n.row("probe")["provider"] == "smtp-a");
  for (int i = 0; i < 20; ++i) n.request(kNormal, inlineRequest("usr-f" + std::to_string(i), "email", "back-" + std::to_string(i)), false);
  n.run.flush();
  REQUIRE(n.waitFinal(41, 60s));
  int viaPrimary = 0;
  for (int i = 0; i < 20; ++i) viaPrimary += n.row("back-" + std::to_string(i))["provider"] == "smtp-a";
  CHECK(viaPrimary == 20);
  // The mail went through the real SMTP conversation: STARTTLS, AUTH, and our Message-ID.
  auto messages = n.smtp.messages();
  REQUIRE(messages.size() == 21);
  CHECK(messages[0].subject == "Subject probe");
  CHECK(messages[0].messageId.find("@qrfleet.test") != std::string::npos);
  CHECK(n.row("probe")["messageId"] == "<" + messages[0].messageId + ">");
}

TEST_CASE("notifications: 429 with Retry-After is honoured; an invalid address fails once, without retry") {
  NotifyRun n("refusals");
  auto slow = inlineRequest("usr-r1", "sms", "limited");
  auto bad = inlineRequest("usr-r2", "sms", "refused");
  auto badMail = inlineRequest("usr-r3", "email", "bad-mail");
  badMail.to.email = "nobody@invalid.example";
  n.sms.setMode({{"default", "ok"},
                 {"retryAfterSeconds", 2},
                 {"perTo", {{*slow.to.phone, {"429", "ok"}}, {*bad.to.phone, {"400"}}}}});
  auto worker = n.start();
  n.request(kNormal, slow, false);
  n.request(kNormal, bad, false);
  n.request(kNormal, badMail);
  REQUIRE(n.waitFinal(3, 60s));
  CHECK(n.status("limited") == "sent");
  std::vector<double> tries;
  int refusedTries = 0;
  for (const auto& r : n.sms.requests()) {
    if (r.to == *slow.to.phone) tries.push_back(r.at);
    if (r.to == *bad.to.phone) ++refusedTries;
  }
  REQUIRE(tries.size() == 2);
  CHECK(tries[1] - tries[0] >= 1.9);  // Retry-After: 2, not the 200 ms retry delay
  CHECK(n.status("refused") == "failed");
  CHECK(refusedTries == 1);
  CHECK(n.row("refused")["error"].find("HTTP 400") != std::string::npos);
  CHECK(n.status("bad-mail") == "failed");
  CHECK(n.row("bad-mail")["error"].find("550") != std::string::npos);
  CHECK(n.smtp.messages().empty());
  auto failed = n.statusEvents("notification.failed");
  CHECK(failed.size() == 2);
  // A failed outcome, not a dead letter; the audit has each call.
  CHECK(n.run.deadLetters(kNormal).empty());
  CHECK(n.run.count("SELECT count(*) FROM notify.deliveries WHERE notification_id = 'limited'") == 2);
  CHECK(n.run.count("SELECT count(*) FROM notify.deliveries WHERE notification_id = 'refused' AND status = 'failed'") ==
        1);
  RedisClient redis(n.run.stack().redisUrl);
  auto reply = redis.command({"HGET", "notify:status:limited", "status"});
  REQUIRE(reply);
  CHECK(std::string(reply->str, reply->len) == "sent");

  // A replay rebuilds the refusals as refusals (from the ledger), without a call.
  REQUIRE(n.run.waitCaughtUp(60s));
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  auto calls = n.sms.requests().size();
  int rc = 0;
  auto out = n.replayVerify(&rc);
  CHECK_MESSAGE(rc == 0, out);
  CHECK(n.status("refused") == "failed");
  CHECK(n.status("bad-mail") == "failed");
  CHECK(n.sms.requests().size() == calls);
}

TEST_CASE("notifications: 10 urgent notifications overtake 10,000 queued bulk ones") {
  NotifyRun n("priority");
  n.sms.setMode({{"default", "ok"}, {"delayMs", 10}});
  for (int i = 0; i < 10000; ++i) n.request(kBulk, inlineRequest("usr-b" + std::to_string(i), "sms", "bulk-" + std::to_string(i), "bulk"), false);
  n.run.flush();
  auto worker = n.start();
  REQUIRE(waitUntil([&] { return n.run.count("SELECT count(*) FROM notify.notifications") >= 500; }, 120s));
  for (int i = 0; i < 10; ++i)
    n.request(kUrgent, inlineRequest("usr-u" + std::to_string(i), "sms", "urgent-" + std::to_string(i), "urgent"));
  REQUIRE(waitUntil([&] {
    return n.run.count("SELECT count(*) FROM notify.notifications WHERE notification_id LIKE 'urgent-%' AND status = 'sent'") == 10;
  }, 30s));
  auto bulkDone = n.run.count("SELECT count(*) FROM notify.notifications WHERE notification_id LIKE 'bulk-%' AND status = 'sent'");
  MESSAGE("bulk notifications sent when the urgent ones were done: " << bulkDone << " of 10000");
  CHECK(bulkDone < 10000);  // the backlog was still there
  // Order, not wall time (a loaded machine is slow, not wrong): in the order
  // the provider received them, every urgent message came while much of the
  // bulk backlog was still queued (4,000 of 10,000 had gone out here; the bound
  // leaves a slower machine room, since what was in flight when the urgent ones
  // arrived is a matter of timing). Its latency is printed by
  // `scripts/bench notifications`.
  std::set<std::string> urgentPhones;
  for (int i = 0; i < 10; ++i) urgentPhones.insert(*inlineRequest("usr-u" + std::to_string(i), "sms", "x").to.phone);
  std::size_t bulkSeen = 0, bulkBeforeLastUrgent = 0, urgentSeen = 0;
  for (const auto& r : n.sms.requests()) {
    if (urgentPhones.count(r.to)) {
      ++urgentSeen;
      bulkBeforeLastUrgent = bulkSeen;
    } else {
      ++bulkSeen;
    }
  }
  MESSAGE("bulk messages the provider received before the last urgent one: " << bulkBeforeLastUrgent << " of 10000");
  CHECK(urgentSeen == 10);
  CHECK(bulkBeforeLastUrgent < 7000);
}

TEST_CASE("notifications: a booking broadcast to 1000 transporters goes out as batch calls") {
  NotifyRun n("fanout");
  n.push.setMode({{"default", "ok"}, {"delayMs", 20}});
  // Transporters registered their devices; location's offers are v1 requests without an address.
  for (int i = 0; i < 1000; ++i) {
    events::NotificationContactUpdated c;
    c.recipientId = "drv-" + std::to_string(i);
    c.address.deviceTokens = {"fcm-drv-" + std::to_string(i)};
    n.contact(c, false);
  }
  n.run.flush();
  auto worker = n.start();
  REQUIRE(waitUntil([&] { return n.run.count("SELECT count(*) FROM notify.contacts") == 1000; }, 60s));
  auto started = nowMillis();
  for (int i = 0; i < 1000; ++i) {
    // Exactly what qrfleet-location's BookingDispatcher emits.
    events::NotificationRequested offer{"drv-" + std::to_string(i), "push", "booking.offer",
                                        {{"bookingId", "bk-1"}, {"distanceKm", 1.5}}};
    REQUIRE(offer.version() == 1);
    n.request(kNormal, offer, false);
  }
  n.run.flush();
  REQUIRE(n.waitFinal(1000, 60s));
  auto requests = n.push.requests();
  std::set<int> calls;
  std::set<std::string> tokens;
  for (const auto& r : requests) {
    CHECK(r.kind == "push-batch");
    calls.insert(r.batch);
    tokens.insert(r.to);
  }
  CHECK(tokens.size() == 1000);
  CHECK(requests.size() == 1000);
  MESSAGE("1000 pushes in " << calls.size() << " sendEach calls, " << nowMillis() - started << " ms after the first request");
  CHECK(calls.size() <= 20);
  CHECK(n.run.count("SELECT count(*) FROM notify.notifications WHERE status = 'sent' AND template = 'booking.offer'") == 1000);
}

TEST_CASE("notifications: templates with locales and a missing variable, expiry, deferral, a v1 event; replay --verify") {
  NotifyRun n("rules");
  auto worker = n.start();
  events::NotificationContactUpdated ada;
  ada.recipientId = "usr-ada";
  ada.address.email = "ada@example.com";
  ada.locale = "de-DE";
  n.contact(ada);

  events::NotificationRequested welcome;
  welcome.recipientId = "usr-ada";
  welcome.channel = "email";
  welcome.templateName = "welcome";
  welcome.data = {{"name", "Ada <3"}, {"plan", "pro"}};
  welcome.dedupeKey = "welcome-ada";
  n.request(kNormal, welcome);

  auto missing = welcome;
  missing.dedupeKey = "missing-var";
  missing.data = {{"name", "Ada"}};
  n.request(kNormal, missing);

  auto expired = inlineRequest("usr-x", "sms", "expired");
  expired.expiresAtMs = nowMillis() - 1000;
  n.request(kNormal, expired);

  auto later = inlineRequest("usr-y", "push", "later");
  later.sendAfterMs = nowMillis() + 4000;
  auto laterAt = nowMillis();
  n.request(kNormal, later);
  REQUIRE(waitUntil([&] { return !n.status("later").empty(); }, 30s));
  CHECK(n.status("later") == "deferred");

  auto again = welcome;  // the same dedupeKey under a new event id: a duplicate
  n.request(kNormal, again);

  // A v1 event as location sends it, to a recipient with a contact.
  events::NotificationContactUpdated drv;
  drv.recipientId = "drv-1";
  drv.address.deviceTokens = {"fcm-drv-1"};
  n.contact(drv);
  events::NotificationRequested offer{"drv-1", "push", "booking.offer", {{"bookingId", "bk-9"}, {"distanceKm", 0.4}}};
  auto offerEvent = n.request(kNormal, offer);

  REQUIRE(n.waitFinal(5, 60s));
  CHECK(n.status("welcome-ada") == "sent");
  auto mails = n.smtp.messages();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].subject == "Willkommen, Ada <3");           // de from the contact's locale, not escaped
  CHECK(mails[0].text == "Hallo Ada <3, dein Tarif ist pro.");
  CHECK(n.status("missing-var") == "failed");
  CHECK(n.row("missing-var")["error"].find("no variable 'plan'") != std::string::npos);
  CHECK(n.status("expired") == "expired");
  CHECK(n.sms.requests().empty());
  CHECK(n.status(offerEvent.eventId) == "sent");
  CHECK(n.statusEvents("notification.sent").size() >= 2);
  CHECK(n.statusEvents("notification.expired").size() == 1);

  // Deferred, then released by the task and sent no earlier than sendAfter.
  REQUIRE(waitUntil([&] { return n.status("later") == "sent"; }, 30s));
  std::vector<ProviderRequest> laterPushes;
  for (const auto& r : n.push.requests())
    if (r.to == "token-usr-y") laterPushes.push_back(r);
  REQUIRE(laterPushes.size() == 1);
  CHECK(laterPushes[0].at * 1000 >= static_cast<double>(laterAt + 3900));

  REQUIRE(n.run.waitCaughtUp(60s));
  worker->kill(SIGTERM);
  CHECK(worker->wait(30s) == 0);
  auto deliveriesBefore = n.run.count("SELECT count(*) FROM notify.deliveries");
  int rc = 0;
  auto out = n.replayVerify(&rc);
  CHECK_MESSAGE(rc == 0, out);
  // The replay made no call and kept the audit.
  CHECK(n.smtp.messages().size() == 1);
  CHECK(n.run.count("SELECT count(*) FROM notify.deliveries") == deliveriesBefore);
}
