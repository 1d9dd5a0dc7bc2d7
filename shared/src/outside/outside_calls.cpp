#include "qrfleet/outside/outside_calls.h"

#include <algorithm>

#include "qrfleet/batch_handler.h"
#include "qrfleet/failure_kind.h"
#include "qrfleet/outside/object_store.h"

namespace qrfleet {

using Clock = std::chrono::steady_clock;

int OutsideLimits::limitOf(const std::string& target) const {
  auto it = perTarget.find(target);
  return it == perTarget.end() ? targetConcurrency : it->second;
}

struct OutsideCalls::Run {
  std::span<const OutsideStep> steps;
  std::vector<std::string> keys;
  std::vector<int> attempts;
  std::vector<StepOutcome> outcomes;
  std::size_t pending = 0;
  std::uint64_t lastRecord = 0;  // the recorder's sequence number of this run's last outcome
};

OutsideCalls::OutsideCalls(std::string schema, std::string databaseUrl, OutsideLimits limits, JsonLogger& log,
                           RuntimeMetrics& metrics, const std::atomic<bool>& stop)
    : ledger_(std::move(schema)),
      databaseUrl_(std::move(databaseUrl)),
      limits_(std::move(limits)),
      log_(log),
      metrics_(metrics),
      stop_(stop),
      steps_(metrics.counters("qrfleet_outside_steps_total", "Outside steps by target and outcome (from_ledger: an earlier run made the call)")),
      stepSeconds_(metrics.histograms("qrfleet_outside_step_seconds", "Duration of outside calls by target")) {}

OutsideCalls::~OutsideCalls() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_.notify_all();
  progress_.notify_all();
  for (auto& t : workers_) t.join();
  if (recorder_.joinable()) recorder_.join();
}

void OutsideCalls::startThreads() {
  if (recorder_.joinable()) return;
  recorder_ = std::thread([this] { recordLoop(); });
  for (int i = 0; i < limits_.workerConcurrency; ++i) workers_.emplace_back([this] { work(); });
}

std::vector<StepOutcome> OutsideCalls::run(std::span<const OutsideStep> steps, pqxx::connection& ledger,
                                           bool replaying, const std::function<void()>& keepAlive) {
  Run r;
  r.steps = steps;
  r.outcomes.resize(steps.size());
  r.attempts.assign(steps.size(), 1);
  for (const auto& s : steps) {
    if (!s.event) throw std::logic_error("OutsideStep '" + s.name + "' names no event");
    r.keys.push_back(AttemptLedger::key(s.subject.empty() ? s.event->envelope.eventId : s.subject, s.name));
  }
  auto known = ledger_.lookup(ledger, r.keys);
  std::vector<Chain> chains;
  std::map<std::string, std::size_t> chainOf;                     // orderKey -> index in chains
  std::map<const OutsideBatchCall*, std::size_t> openBatchOf;  // batch call -> its chain still filling
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto k = known.find(r.keys[i]);
    if (k != known.end()) {
      r.attempts[i] = k->second.attempts + 1;
      // A replay rebuilds what the live run decided: a refusal recorded then
      // is the refusal now (live, a refusal is called again: a redrive after a fix).
      bool recorded = k->second.outcome.final() ||
                      (replaying && k->second.outcome.status == StepStatus::failedPermanently);
      if (recorded) {
        r.outcomes[i] = k->second.outcome;
        steps_.Add({{"target", steps[i].target}, {"outcome", "from_ledger"}}).Increment();
        continue;
      }
    }
    if (replaying) {
      r.outcomes[i] = {StepStatus::notCalled, "replay: no recorded outcome", {}, false};
      continue;
    }
    ++r.pending;
    const auto& step = steps[i];
    if (step.batch && step.orderKey.empty()) {
      auto b = openBatchOf.find(step.batch.get());
      if (b == openBatchOf.end() || chains[b->second].steps.size() >= std::max<std::size_t>(step.batch->maxSteps, 1)) {
        openBatchOf[step.batch.get()] = chains.size();
        chains.push_back({&r, {i}, 0, true, step.priority});
      } else {
        chains[b->second].steps.push_back(i);
        chains[b->second].priority = std::max(chains[b->second].priority, step.priority);
      }
      continue;
    }
    auto c = step.orderKey.empty() ? chainOf.end() : chainOf.find(step.orderKey);
    if (c == chainOf.end()) {
      if (!step.orderKey.empty()) chainOf[step.orderKey] = chains.size();
      chains.push_back({&r, {i}, 0, false, step.priority});
    } else {
      chains[c->second].steps.push_back(i);
      chains[c->second].priority = std::max(chains[c->second].priority, step.priority);
    }
  }
  if (chains.empty()) return r.outcomes;

  std::unique_lock lock(mutex_);
  startThreads();
  for (auto& c : chains) enqueue(std::move(c), false);
  work_.notify_all();
  // Calls end by their own timeouts; recording ends when Postgres answers, or gives up at shutdown.
  std::optional<Clock::time_point> giveUpAt;
  auto lastKeepAlive = Clock::now();
  // A failing keep-alive (the lane's connection broke) is rethrown only once no
  // pool thread uses this run's steps any more: they point into this frame.
  std::exception_ptr keepAliveFailed;
  while (!(r.pending == 0 && recorded_ >= r.lastRecord)) {
    progress_.wait_for(lock, std::chrono::milliseconds(100));
    if (keepAlive && !keepAliveFailed && Clock::now() - lastKeepAlive > std::chrono::seconds(5)) {
      lock.unlock();
      try {
        keepAlive();
      } catch (...) {
        keepAliveFailed = std::current_exception();
      }
      lock.lock();
      lastKeepAlive = Clock::now();
    }
    if (stop_ && r.pending == 0 && !giveUpAt) giveUpAt = Clock::now() + std::chrono::seconds(5);
    if (giveUpAt && Clock::now() > *giveUpAt && recorded_ < r.lastRecord)
      throw TransientError("shutdown before the outcomes of outside calls were recorded");
  }
  if (keepAliveFailed) std::rethrow_exception(keepAliveFailed);
  return r.outcomes;
}

std::deque<OutsideCalls::Chain>::iterator OutsideCalls::runnable() {
  return std::find_if(queue_.begin(), queue_.end(), [&](const Chain& c) {
    const auto& target = c.run->steps[c.steps[c.next]].target;
    return inFlight_[target] < limits_.limitOf(target);
  });
}

void OutsideCalls::enqueue(Chain chain, bool front) {
  // A batch's chains mostly share one priority: appending is the common case, not a scan.
  if (!front && (queue_.empty() || queue_.back().priority >= chain.priority)) {
    queue_.push_back(std::move(chain));
    return;
  }
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const Chain& c) {
    return front ? c.priority <= chain.priority : c.priority < chain.priority;
  });
  queue_.insert(it, std::move(chain));
}

std::vector<StepOutcome> OutsideCalls::call(const Chain& chain, bool& called) {
  called = !stop_;
  // A batch step on its own (it has an orderKey) goes out as a batch call of one.
  bool viaBatch = chain.together || chain.run->steps[chain.steps[chain.next]].batch;
  std::vector<std::size_t> indices;
  if (chain.together)
    indices = chain.steps;
  else
    indices.push_back(chain.steps[chain.next]);
  std::vector<StepOutcome> out;
  if (!called) {
    out.assign(indices.size(), StepOutcome::transient("shutting down: not called"));
    return out;
  }
  const auto& run = *chain.run;
  try {
    if (viaBatch) {
      std::vector<const OutsideStep*> steps;
      std::vector<OutsideCall> calls;
      for (auto i : indices) {
        steps.push_back(&run.steps[i]);
        calls.push_back({run.keys[i], run.attempts[i]});
      }
      out = run.steps[indices.front()].batch->call(steps, calls);
      if (out.size() != indices.size())
        out.assign(indices.size(), StepOutcome::transient("batch call gave " + std::to_string(out.size()) +
                                                          " outcomes for " + std::to_string(indices.size()) + " steps"));
    } else {
      out.push_back(run.steps[indices.front()].call({run.keys[indices.front()], run.attempts[indices.front()]}));
    }
  } catch (const ObjectStoreError& e) {
    out.assign(indices.size(), e.outcome());
  } catch (const std::exception& e) {
    out.assign(indices.size(), StepOutcome::transient(std::string("outside step threw: ") + e.what()));
  }
  for (auto& o : out) o.fromLedger = false;
  return out;
}

void OutsideCalls::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return closing_ || runnable() != queue_.end(); });
    if (closing_) return;
    auto it = runnable();
    Chain chain = *it;
    queue_.erase(it);
    std::string target = chain.run->steps[chain.steps[chain.next]].target;
    ++inFlight_[target];
    lock.unlock();

    auto started = Clock::now();
    bool called = false;
    auto outcomes = call(chain, called);
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();

    lock.lock();
    --inFlight_[target];
    if (chain.together) {
      for (std::size_t k = 0; k < chain.steps.size(); ++k)
        finishStep(*chain.run, chain.steps[k], std::move(outcomes[k]), called, seconds);
    } else {
      auto index = chain.steps[chain.next];
      bool succeeded = outcomes.front().status == StepStatus::succeeded;
      finishStep(*chain.run, index, std::move(outcomes.front()), called, seconds);
      if (++chain.next < chain.steps.size()) {
        if (succeeded) {
          enqueue(std::move(chain), true);
        } else {
          // Order per key: a later step must not overtake one that failed.
          for (; chain.next < chain.steps.size(); ++chain.next)
            finishStep(*chain.run, chain.steps[chain.next],
                       StepOutcome::transient("held behind an earlier step of the same key that failed"), false, 0);
        }
      }
    }
    progress_.notify_all();  // the run waiting for it, the recorder
    work_.notify_one();      // a slot of this target is free again (this thread may take other work)
  }
}

void OutsideCalls::finishStep(Run& r, std::size_t index, StepOutcome outcome, bool called, double seconds) {
  const auto& step = r.steps[index];
  steps_.Add({{"target", step.target}, {"outcome", std::string(stepStatusName(outcome.status))}}).Increment();
  if (called)
    stepSeconds_.Add({{"target", step.target}}, prometheus::Histogram::BucketBoundaries{
                                                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
        .Observe(seconds);
  if (called) {
    toRecord_.push_back({r.keys[index], step.subject.empty() ? step.event->envelope.eventId : step.subject, step.name, outcome});
    r.lastRecord = ++finished_;
  }
  r.outcomes[index] = std::move(outcome);
  --r.pending;
}

void OutsideCalls::recordLoop() {
  PostgresConnection pg(databaseUrl_);
  std::unique_lock lock(mutex_);
  auto delay = std::chrono::milliseconds(50);
  auto lastPrune = Clock::now() - std::chrono::hours(2);
  for (;;) {
    progress_.wait(lock, [&] { return closing_ || !toRecord_.empty(); });
    if (toRecord_.empty()) return;  // closing and nothing left
    auto batch = std::move(toRecord_);
    toRecord_.clear();
    auto upTo = finished_;
    lock.unlock();
    bool written = false;
    while (!written) {
      try {
        ledger_.record(pg.get(), batch);
        written = true;
        delay = std::chrono::milliseconds(50);
      } catch (const std::exception& e) {
        pg.reset();
        log_.warn("could not record outside-call outcomes; retrying", {{"error", e.what()}, {"outcomes", batch.size()}});
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(2000));
        std::lock_guard check(mutex_);
        if (closing_) return;
      }
    }
    lock.lock();
    recorded_ = upTo;
    progress_.notify_all();
    if (Clock::now() - lastPrune > std::chrono::hours(1)) {  // after publishing: nobody waits for the DELETE
      lastPrune = Clock::now();
      lock.unlock();
      try {
        ledger_.prune(pg.get(), limits_.ledgerRetention);
      } catch (const std::exception& e) {
        pg.reset();
        log_.warn("could not prune the attempt ledger; trying again in an hour", {{"error", e.what()}});
      }
      lock.lock();
    }
  }
}

}  // namespace qrfleet
