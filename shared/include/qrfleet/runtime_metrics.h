#pragma once
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace qrfleet {

// The metrics every worker exports (DESIGN.md "Operating it"): names start with
// qrfleet_, counters end in _total, durations are histograms in seconds.
// Services and the runtime's parts add their own families with counters(),
// histograms() and gauges(): every family carries the service label.
class RuntimeMetrics {
 public:
  RuntimeMetrics(std::string service, const std::string& version);

  prometheus::Registry& registry() { return *registry_; }
  const std::string& service() const { return service_; }
  prometheus::Family<prometheus::Counter>& counters(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Histogram>& histograms(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Gauge>& gauges(const std::string& name, const std::string& help);

  void consumed(const std::string& topic, double n);
  void processed(const std::string& topic, const std::string& eventType, const std::string& outcome, double n);
  void deadLettered(const std::string& topic, const std::string& errorClass);
  void retried(const std::string& reason);
  void rebalanced(const std::string& kind);
  void batchFinished(double seconds, double events);
  // One label lookup for a whole batch of ages (the hot path calls this per batch).
  void eventAges(const std::string& topic, const std::vector<double>& seconds);
  void setLag(const std::string& topic, int partition, double lag);
  void clearLag(const std::string& topic, int partition);
  void setReady(bool ready);
  void setAssignedPartitions(double n);
  // One run of a periodic task; outcome ok | failed.
  void taskRun(const std::string& task, const std::string& outcome, double seconds);

  // Prometheus text exposition of everything registered.
  std::string render();

 private:
  std::string service_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& processed_;
  prometheus::Family<prometheus::Counter>& deadLetters_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& rebalances_;
  prometheus::Family<prometheus::Histogram>& batchDuration_;
  prometheus::Family<prometheus::Histogram>& batchSize_;
  prometheus::Family<prometheus::Histogram>& eventAge_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Family<prometheus::Counter>& taskRuns_;
  prometheus::Family<prometheus::Histogram>& taskDuration_;
  prometheus::Gauge& ready_;
  prometheus::Gauge& assigned_;
  prometheus::Gauge& residentMemory_;
  prometheus::Gauge& cpuSeconds_;
};

}  // namespace qrfleet
