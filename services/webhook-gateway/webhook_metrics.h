#pragma once
#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "qrfleet/runtime_metrics.h"
#include "webhook_outcome.h"

namespace qrfleet::webhook {

// qrfleet_webhooks_total{provider,outcome} and
// qrfleet_webhook_duration_seconds{provider}, with the service label. Every
// series exists from the start (a rate over a series that appears only with
// the first failure misses that failure); requests for a path that names no
// provider count under provider="(unknown)", which no provider can be named.
class WebhookMetrics {
 public:
  static constexpr const char* kUnknownProvider = "(unknown)";

  WebhookMetrics(RuntimeMetrics& metrics, const std::vector<std::string>& providers);

  // Thread-safe: the series are looked up in a map that is never changed after construction.
  void record(const std::string& provider, WebhookOutcome outcome, double seconds);

 private:
  struct ProviderSeries {
    std::array<prometheus::Counter*, kWebhookOutcomes.size()> outcomes{};
    prometheus::Histogram* duration = nullptr;
  };
  ProviderSeries seriesFor(const std::string& provider);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  std::map<std::string, ProviderSeries> series_;
};

}  // namespace qrfleet::webhook
