#include "webhook_metrics.h"

namespace qrfleet::webhook {

namespace {
// 0.5 ms (a refusal) to 10 s (a request that waited out the Kafka acknowledgement timeout).
const prometheus::Histogram::BucketBoundaries kWebhookSecondsBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}  // namespace

WebhookMetrics::WebhookMetrics(RuntimeMetrics& metrics, const std::vector<std::string>& providers)
    : requests_(metrics.counters("qrfleet_webhooks_total",
                                 "Webhook requests by provider and outcome (accepted, ignored, bad_signature, too_large, "
                                 "bad_body, unprocessable, kafka_unavailable, unknown_provider)")),
      durations_(metrics.histograms("qrfleet_webhook_duration_seconds",
                                    "Time from a webhook request's headers to its answer (Kafka's acknowledgement included), by provider")) {
  for (const auto& p : providers) series_.emplace(p, seriesFor(p));
  series_.emplace(kUnknownProvider, seriesFor(kUnknownProvider));
}

WebhookMetrics::ProviderSeries WebhookMetrics::seriesFor(const std::string& provider) {
  ProviderSeries s;
  for (std::size_t i = 0; i < kWebhookOutcomes.size(); ++i)
    s.outcomes[i] = &requests_.Add({{"provider", provider}, {"outcome", std::string(outcomeName(kWebhookOutcomes[i]))}});
  s.duration = &durations_.Add({{"provider", provider}}, kWebhookSecondsBuckets);
  return s;
}

void WebhookMetrics::record(const std::string& provider, WebhookOutcome outcome, double seconds) {
  auto it = series_.find(provider);
  if (it == series_.end()) it = series_.find(kUnknownProvider);
  it->second.outcomes[static_cast<std::size_t>(outcome)]->Increment();
  it->second.duration->Observe(seconds);
}

}  // namespace qrfleet::webhook
