#include "qrfleet/runtime/periodic_task_runner.h"

namespace qrfleet {

using Clock = std::chrono::steady_clock;

PeriodicTaskRunner::PeriodicTaskRunner(std::vector<PeriodicTask> tasks, const RuntimeSettings& settings,
                                       const KafkaSettings& kafka, const std::string& clientId, JsonLogger& log,
                                       RuntimeMetrics& metrics)
    : tasks_(std::move(tasks)),
      log_(log),
      metrics_(metrics),
      pg_(settings.databaseUrl, settings.idleInTransactionTimeout),
      redis_(settings.redisUrl),
      producer_(kafka, clientId) {
  if (!tasks_.empty()) thread_ = std::thread([this] { loop(); });
}

PeriodicTaskRunner::~PeriodicTaskRunner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PeriodicTaskRunner::loop() {
  std::vector<Clock::time_point> due(tasks_.size(), Clock::now());
  while (!stop_) {
    auto now = Clock::now();
    for (std::size_t i = 0; i < tasks_.size() && !stop_; ++i) {
      if (now < due[i]) continue;
      const auto& task = tasks_[i];
      auto started = Clock::now();
      std::string outcome = "ok";
      try {
        TaskContext ctx{pg_.get(), redis_, producer_, log_};
        task.run(ctx);
      } catch (const std::exception& e) {
        outcome = "failed";
        pg_.reset();
        log_.warn("periodic task failed; retrying at its next run", {{"task", task.name}, {"error", e.what()}});
      }
      metrics_.taskRun(task.name, outcome, std::chrono::duration<double>(Clock::now() - started).count());
      due[i] = Clock::now() + task.interval;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace qrfleet
