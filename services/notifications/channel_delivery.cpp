#include "channel_delivery.h"

#include "qrfleet/time_format.h"

namespace qrfleet::notify {

namespace {
std::vector<std::string> namesOf(const std::vector<ProviderSettings>& list) {
  std::vector<std::string> out;
  for (const auto& p : list) out.push_back(p.name);
  return out;
}

bool expired(const OutgoingMessage& m) { return m.expiresAtMs && nowMillis() >= *m.expiresAtMs; }
}  // namespace

ProviderAnswer splitProviderAnswer(const StepOutcome& o) {
  auto colon = o.detail.find(": ");
  if (o.detail == kExpiredBeforeCall || colon == std::string::npos) return {"", o.detail};
  return {o.detail.substr(0, colon), o.detail.substr(colon + 2)};
}

ChannelDelivery::ChannelDelivery(ChannelProviders providers, OutsideKit& kit, CircuitBreaker::Policy circuit)
    : providers_(std::move(providers)), kit_(kit), email_(kit.smtp(), kit.http()), sms_(kit.http()), push_(kit.http()) {
  for (const char* channel : {"email", "sms", "push"}) {
    const auto& list = providers_.of(channel);
    if (!list.empty()) failovers_[channel] = &kit.failover(std::string("notify-") + channel, namesOf(list), circuit);
  }
}

bool ChannelDelivery::canDeliver(const std::string& channel) const { return failovers_.count(channel) > 0; }

std::size_t ChannelDelivery::pushBatchSize() const {
  std::size_t n = 500;
  for (const auto& p : providers_.push) n = std::min(n, p.batchSize);
  return n;
}

const ProviderSettings& ChannelDelivery::provider(const std::string& channel, const std::string& name) const {
  for (const auto& p : providers_.of(channel))
    if (p.name == name) return p;
  throw std::logic_error("no " + channel + " provider " + name);
}

std::optional<StepOutcome> ChannelDelivery::rateLimited(const ProviderSettings& p) {
  if (!p.rate) return std::nullopt;
  auto wait = kit_.rateLimiter().acquire("provider:" + p.name, *p.rate, std::chrono::milliseconds(200));
  if (wait.count() == 0) return std::nullopt;
  return StepOutcome::transient("rate limited (" + p.name + "'s shared limit)", wait, true);
}

StepOutcome ChannelDelivery::deliver(const OutgoingMessage& m, const OutsideCall& call) {
  if (expired(m)) return StepOutcome::success(std::string(kExpiredBeforeCall));
  auto it = failovers_.find(m.channel);
  if (it == failovers_.end()) return StepOutcome::permanent("no " + m.channel + " provider is configured");
  return it->second->call([&](const std::string& name) {
    const auto& p = provider(m.channel, name);
    if (auto limited = rateLimited(p)) return *limited;
    if (m.channel == "email") return email_.send(p, m, call);
    if (m.channel == "sms") return sms_.send(p, m, call);
    std::vector<StepOutcome> each;
    const OutgoingMessage* one = &m;
    auto whole = push_.send(p, std::span(&one, 1), std::span(&call, 1), each);
    return whole.status == StepStatus::succeeded ? each.front() : whole;
  });
}

std::vector<StepOutcome> ChannelDelivery::deliverPushes(std::span<const OutgoingMessage* const> messages,
                                                        std::span<const OutsideCall> calls) {
  std::vector<StepOutcome> out(messages.size());
  std::vector<const OutgoingMessage*> live;
  std::vector<OutsideCall> liveCalls;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (expired(*messages[i])) {
      out[i] = StepOutcome::success(std::string(kExpiredBeforeCall));
      continue;
    }
    live.push_back(messages[i]);
    liveCalls.push_back(calls[i]);
    where.push_back(i);
  }
  if (live.empty()) return out;
  auto it = failovers_.find("push");
  if (it == failovers_.end()) {
    for (auto i : where) out[i] = StepOutcome::permanent("no push provider is configured");
    return out;
  }
  std::vector<StepOutcome> each;
  std::string used;
  auto whole = it->second->call([&](const std::string& name) {
    used = name;
    const auto& p = provider("push", name);
    if (auto limited = rateLimited(p)) return *limited;
    return push_.send(p, live, liveCalls, each);
  });
  for (std::size_t k = 0; k < live.size(); ++k) {
    if (whole.status == StepStatus::succeeded && each.size() == live.size()) {
      out[where[k]] = each[k];
      out[where[k]].detail = used + ": " + each[k].detail;
    } else {
      out[where[k]] = whole;
    }
  }
  return out;
}

}  // namespace qrfleet::notify
