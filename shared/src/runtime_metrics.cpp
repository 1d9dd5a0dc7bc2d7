#include "qrfleet/runtime_metrics.h"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace qrfleet {

namespace {
const prometheus::Histogram::BucketBoundaries kSecondsBuckets{0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04,
                                                               0.05,  0.075,  0.1,   0.15, 0.2,   0.3,  0.5,  0.75,
                                                               1,     2.5,    5,     10,   30,    60,   300};
const prometheus::Histogram::BucketBoundaries kBatchSizeBuckets{1, 10, 50, 100, 500, 1000, 2000, 5000, 10000};
}  // namespace

RuntimeMetrics::RuntimeMetrics(std::string service, const std::string& version)
    : service_(std::move(service)),
      registry_(std::make_shared<prometheus::Registry>()),
      consumed_(prometheus::BuildCounter()
                    .Name("qrfleet_events_consumed_total")
                    .Help("Messages read from Kafka")
                    .Register(*registry_)),
      processed_(prometheus::BuildCounter()
                     .Name("qrfleet_events_processed_total")
                     .Help("Events by outcome: applied, duplicate, dead_lettered")
                     .Register(*registry_)),
      deadLetters_(prometheus::BuildCounter()
                       .Name("qrfleet_dead_letters_total")
                       .Help("Messages sent to the dead-letter queue, by error class")
                       .Register(*registry_)),
      retries_(prometheus::BuildCounter()
                   .Name("qrfleet_retries_total")
                   .Help("Batch attempts retried after a transient failure")
                   .Register(*registry_)),
      rebalances_(prometheus::BuildCounter()
                      .Name("qrfleet_rebalances_total")
                      .Help("Partition assignments and revocations")
                      .Register(*registry_)),
      batchDuration_(prometheus::BuildHistogram()
                         .Name("qrfleet_batch_duration_seconds")
                         .Help("Time to apply one batch, decode to commit")
                         .Register(*registry_)),
      batchSize_(prometheus::BuildHistogram()
                     .Name("qrfleet_batch_size_events")
                     .Help("Events per applied batch")
                     .Register(*registry_)),
      eventAge_(prometheus::BuildHistogram()
                    .Name("qrfleet_event_age_seconds")
                    .Help("Time from an event's Kafka timestamp to its commit")
                    .Register(*registry_)),
      lag_(prometheus::BuildGauge()
               .Name("qrfleet_consumer_lag")
               .Help("Messages behind the partition's high watermark")
               .Register(*registry_)),
      taskRuns_(prometheus::BuildCounter()
                    .Name("qrfleet_task_runs_total")
                    .Help("Runs of periodic tasks (expiry, sweeps) by outcome")
                    .Register(*registry_)),
      taskDuration_(prometheus::BuildHistogram()
                        .Name("qrfleet_task_duration_seconds")
                        .Help("Time one run of a periodic task took")
                        .Register(*registry_)),
      ready_(prometheus::BuildGauge()
                 .Name("qrfleet_ready")
                 .Help("1 when assigned and every store answers")
                 .Register(*registry_)
                 .Add({{"service", service_}})),
      assigned_(prometheus::BuildGauge()
                    .Name("qrfleet_assigned_partitions")
                    .Help("Partitions this consumer owns")
                    .Register(*registry_)
                    .Add({{"service", service_}})),
      residentMemory_(prometheus::BuildGauge()
                          .Name("qrfleet_process_resident_memory_bytes")
                          .Help("Resident set size")
                          .Register(*registry_)
                          .Add({{"service", service_}})),
      cpuSeconds_(prometheus::BuildGauge()
                      .Name("qrfleet_process_cpu_seconds")
                      .Help("User and system CPU time used by the process")
                      .Register(*registry_)
                      .Add({{"service", service_}})) {
  prometheus::BuildGauge()
      .Name("qrfleet_build_info")
      .Help("Build version of the running worker")
      .Register(*registry_)
      .Add({{"service", service_}, {"version", version}})
      .Set(1);
}

prometheus::Family<prometheus::Counter>& RuntimeMetrics::counters(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Labels({{"service", service_}}).Register(*registry_);
}

prometheus::Family<prometheus::Histogram>& RuntimeMetrics::histograms(const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Labels({{"service", service_}}).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& RuntimeMetrics::gauges(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Labels({{"service", service_}}).Register(*registry_);
}

void RuntimeMetrics::consumed(const std::string& topic, double n) {
  consumed_.Add({{"service", service_}, {"topic", topic}}).Increment(n);
}
void RuntimeMetrics::processed(const std::string& topic, const std::string& eventType, const std::string& outcome,
                               double n) {
  processed_.Add({{"service", service_}, {"topic", topic}, {"event_type", eventType}, {"outcome", outcome}})
      .Increment(n);
}
void RuntimeMetrics::deadLettered(const std::string& topic, const std::string& errorClass) {
  deadLetters_.Add({{"service", service_}, {"topic", topic}, {"error_class", errorClass}}).Increment();
}
void RuntimeMetrics::retried(const std::string& reason) {
  retries_.Add({{"service", service_}, {"reason", reason}}).Increment();
}
void RuntimeMetrics::rebalanced(const std::string& kind) {
  rebalances_.Add({{"service", service_}, {"kind", kind}}).Increment();
}
void RuntimeMetrics::batchFinished(double seconds, double events) {
  batchDuration_.Add({{"service", service_}}, kSecondsBuckets).Observe(seconds);
  batchSize_.Add({{"service", service_}}, kBatchSizeBuckets).Observe(events);
}
void RuntimeMetrics::eventAges(const std::string& topic, const std::vector<double>& seconds) {
  auto& histogram = eventAge_.Add({{"service", service_}, {"topic", topic}}, kSecondsBuckets);
  for (double s : seconds) histogram.Observe(s);
}
void RuntimeMetrics::setLag(const std::string& topic, int partition, double lag) {
  lag_.Add({{"service", service_}, {"topic", topic}, {"partition", std::to_string(partition)}}).Set(lag);
}
void RuntimeMetrics::clearLag(const std::string& topic, int partition) {
  lag_.Remove(&lag_.Add({{"service", service_}, {"topic", topic}, {"partition", std::to_string(partition)}}));
}
void RuntimeMetrics::setReady(bool ready) { ready_.Set(ready ? 1 : 0); }
void RuntimeMetrics::setAssignedPartitions(double n) { assigned_.Set(n); }
void RuntimeMetrics::taskRun(const std::string& task, const std::string& outcome, double seconds) {
  taskRuns_.Add({{"service", service_}, {"task", task}, {"outcome", outcome}}).Increment();
  taskDuration_.Add({{"service", service_}, {"task", task}}, kSecondsBuckets).Observe(seconds);
}

std::string RuntimeMetrics::render() {
  // Process figures are read at scrape time: no sampling thread needed.
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (statm >> pages >> resident) residentMemory_.Set(static_cast<double>(resident) * sysconf(_SC_PAGESIZE));
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::stod(f);
      if (i == 15) stime = std::stod(f);
    }
    cpuSeconds_.Set((utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK)));
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace qrfleet
