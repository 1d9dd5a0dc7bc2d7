// libFuzzer target: a verified webhook body, through the gateway's intake
// (UTF-8 and JSON checks, the Stripe and the generic normalizers, the webhook
// claim check, the envelope and the payment events' decoder as the last word).
// Any answer is fine; an exception escaping, a crash or a sanitizer report is
// a bug, and so is an accepted event that the decoder would refuse.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "generic_event_normalizer.h"
#include "qrfleet/events/payment_events.h"
#include "stripe_event_normalizer.h"
#include "webhook_intake.h"

namespace {

using namespace qrfleet::webhook;

// Signature schemes have a fuzzer of their own: here every body counts as signed.
class SignedBody : public WebhookAdapter {
 public:
  SignedBody(std::string provider, bool stripe) : provider_(std::move(provider)), stripe_(stripe) {}
  const std::string& provider() const override { return provider_; }
  SignatureCheck verify(const HeaderLookup&, std::string_view, std::int64_t) const override { return SignatureCheck::valid; }
  NormalizedWebhook normalize(const nlohmann::json& body) const override {
    return stripe_ ? normalizeStripeEvent(provider_, body) : normalizeGenericEvent(provider_, body);
  }

 private:
  std::string provider_;
  bool stripe_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  static const SignedBody stripe("stripe", true);
  static const SignedBody generic("acme", false);
  const HeaderLookup noHeaders = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  for (const WebhookAdapter* adapter : {static_cast<const WebhookAdapter*>(&stripe), static_cast<const WebhookAdapter*>(&generic)}) {
    auto d = decideIntake(*adapter, noHeaders, body, 1795428930123, 1000000);
    if (d.outcome == WebhookOutcome::accepted) {
      if (!d.envelope || d.key.empty()) __builtin_trap();
      auto event = qrfleet::events::PaymentEvent::fromEnvelope(qrfleet::Envelope::decode(d.envelope->encode()));
      if (!event.webhook || event.webhook->body != body || event.customerId != d.key) __builtin_trap();
    } else if (d.envelope) {
      __builtin_trap();
    }
  }
  return 0;
}
