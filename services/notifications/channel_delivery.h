#pragma once
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "email_sender.h"
#include "outgoing_message.h"
#include "provider_settings.h"
#include "push_sender.h"
#include "qrfleet/outside/outside_kit.h"
#include "sms_sender.h"

namespace qrfleet::notify {

// What a provider's answer says, split from the failover's "<provider>: ".
struct ProviderAnswer {
  std::string provider;  // empty when no provider was reached
  std::string text;      // message id on success, else the error
};
ProviderAnswer splitProviderAnswer(const StepOutcome& outcome);

// The detail of a message that reached its expiresAt before its call: a final
// outcome (recorded, so a replay knows), with nothing sent.
inline constexpr std::string_view kExpiredBeforeCall = "expired before it could be sent";

// Delivers a message on its channel through the channel's providers in
// failover order (each behind a circuit breaker, each with its own rate limit
// shared across replicas). Shared by every lane.
class ChannelDelivery {
 public:
  ChannelDelivery(ChannelProviders providers, OutsideKit& kit, CircuitBreaker::Policy circuit);

  bool canDeliver(const std::string& channel) const;
  // email, sms, or a push to one notification's devices.
  StepOutcome deliver(const OutgoingMessage& message, const OutsideCall& call);
  // Pushes of many notifications in sendEach calls; one outcome each.
  std::vector<StepOutcome> deliverPushes(std::span<const OutgoingMessage* const> messages,
                                         std::span<const OutsideCall> calls);
  std::size_t pushBatchSize() const;

 private:
  const ProviderSettings& provider(const std::string& channel, const std::string& name) const;
  // A transient outcome when the provider's shared rate limit has no token now.
  std::optional<StepOutcome> rateLimited(const ProviderSettings& p);

  ChannelProviders providers_;
  OutsideKit& kit_;
  EmailSender email_;
  SmsSender sms_;
  PushSender push_;
  std::map<std::string, ProviderFailover*> failovers_;  // by channel; owned by the kit
};

}  // namespace qrfleet::notify
