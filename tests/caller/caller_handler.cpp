#include "caller_handler.h"

namespace qrfleet::caller {

namespace {
std::vector<std::string> namesOf(const std::vector<std::pair<std::string, std::string>>& providers) {
  std::vector<std::string> out;
  for (const auto& p : providers) out.push_back(p.first);
  return out;
}
}  // namespace

CallerHandler::CallerHandler(CallerSettings settings, OutsideKit& outside)
    : settings_(std::move(settings)),
      outside_(outside),
      failover_(outside.failover("push", namesOf(settings_.providers), settings_.circuit)),
      urls_(settings_.providers.begin(), settings_.providers.end()) {}

bool CallerHandler::firstTime(std::set<int>& done, int n) { return done.insert(n).second; }

StepOutcome CallerHandler::send(int n, const OutsideCall& call) {
  if (settings_.rateLimit) {
    auto wait = outside_.rateLimiter().acquire("push-api", *settings_.rateLimit, settings_.rateLimitMaxWait);
    if (wait.count() > 0) return StepOutcome::transient("rate limited (shared limit)", wait);
  }
  return failover_.call([&](const std::string& provider) {
    HttpRequest req;
    req.method = "POST";
    req.url = urls_.at(provider) + "/v1/messages";
    req.target = provider;
    req.headers = {{"Authorization", "Bearer " + settings_.token},
                   {"Idempotency-Key", call.idempotencyKey},
                   {"Content-Type", "application/json"},
                   {"X-Instance", settings_.instance}};
    req.body = nlohmann::json{{"n", n}, {"attempt", call.attempt}}.dump();
    req.connectTimeout = std::min(settings_.timeout, std::chrono::milliseconds(1000));
    req.totalTimeout = settings_.timeout;
    return classifyHttp(outside_.http().send(req));
  });
}

void CallerHandler::handle(std::span<const ConsumedEvent> events, Effects& fx) {
  std::vector<OutsideStep> steps;
  std::vector<int> ns;
  for (const auto& e : events) {
    int n = e.envelope.payload.value("n", -1);
    ns.push_back(n);
    // With orderByKey, one recipient's (Kafka key's) messages go out in the order they were asked for.
    steps.push_back({&e, "send:message:" + std::to_string(n), "push-api", settings_.orderByKey ? e.key : "",
                     [this, n](const OutsideCall& call) { return send(n, call); }});
  }
  auto outcomes = fx.callOutside(steps);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto& o = outcomes[i];
    switch (o.status) {
      case StepStatus::succeeded:
        fx.sql().exec_params("INSERT INTO caller.delivered (event_id, n, detail, from_ledger) VALUES ($1, $2, $3, $4)"
                             " ON CONFLICT (event_id) DO NOTHING",
                             e.envelope.eventId, ns[i], o.detail, o.fromLedger);
        break;
      case StepStatus::failedPermanently:
        fx.reject(e, RejectReason::outsideRefused, o.detail);
        break;
      case StepStatus::failedTransiently:
        fx.retryLater(e, o.detail, o.retryAfter);
        break;
      case StepStatus::notCalled:
        break;
    }
    if (settings_.refuseCommitOnce.count(ns[i]) && firstTime(refused_, ns[i]))
      fx.sql().exec_params("INSERT INTO caller.commit_refusals (n) VALUES ($1)", ns[i]);
  }
  for (int n : ns)
    if (settings_.throwOnce.count(n) && firstTime(thrown_, n))
      throw std::runtime_error("test-caller: event " + std::to_string(n) + " throws once, after its call");
}

}  // namespace qrfleet::caller
