#include "qrfleet/runtime/apply_lane.h"

#include <algorithm>
#include <unordered_map>

#include "qrfleet/runtime/backoff.h"
#include "qrfleet/failure_kind.h"
#include "qrfleet/runtime/retry_topic_publisher.h"
#include "qrfleet/time_format.h"

namespace qrfleet {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Effects of one attempt at one batch.
class ApplyLane::BatchEffects : public Effects {
 public:
  BatchEffects(ApplyLane& lane, pqxx::work& txn, const ConsumedBatch& batch) : lane_(lane), txn_(txn), batch_(batch) {}

  pqxx::work& sql() override { return txn_; }

  RedisWriter redis(const ConsumedEvent& e) override {
    if (!lane_.usesRedis_) throw std::logic_error("Effects::redis: the service declares no Redis prefix");
    return RedisWriter(e.offset > lane_.redisEffects_.appliedUpTo(e.source) ? &lane_.redisEffects_ : nullptr);
  }

  RedisClient& redisReader() override { return lane_.redis_; }

  bool replaying() const override { return lane_.ctx_.settings.replaying; }

  // Produced after the handler, once the ledger says which were delivered before.
  void emit(const std::string& topic, const std::string& key, const Envelope& event) override {
    if (replaying()) return;
    // Recorded per causing message (not per causing event id: the same event
    // back from the retry topic may emit new follow-ups that must not be skipped).
    std::string ledgerKey;
    if (event.causationId) {
      if (causes_.empty())
        for (const auto& e : batch_.events) causes_.emplace(e.envelope.eventId, &e);
      if (auto it = causes_.find(*event.causationId); it != causes_.end())
        ledgerKey = "emit:" + it->second->source.topic + "/" + std::to_string(it->second->source.partition) + "/" +
                    std::to_string(it->second->offset);
    }
    followUps.push_back({topic, key, event, std::move(ledgerKey)});
  }

  void emitOnce(const std::string& topic, const std::string& key, const Envelope& event) override {
    if (replaying()) return;
    followUps.push_back({topic, key, event, "emit-id:" + event.eventId});
  }

  void reject(const ConsumedEvent& e, RejectReason reason, std::string_view message) override {
    deadLetter(failedMessageOf(e), std::string(rejectReasonName(reason)), std::string(message), e.attempt);
    rejected.push_back({&e, std::string(rejectReasonName(reason)), std::string(message)});
  }

  void retryLater(const ConsumedEvent& e, std::string_view reason, milliseconds notBefore) override {
    const auto* route = lane_.ctx_.routes.find(e.source.topic);
    if (!route || !route->failures.retryTopic)
      throw std::logic_error("Effects::retryLater: the route of topic " + e.source.topic +
                             " does not declare FailurePolicy::retryTopic");
    auto message = failedMessageOf(e);
    RetryTopicPublisher retries(lane_.producer_, lane_.deadLetters_, lane_.retryScheduleOf(e));
    if (retries.exhausted(e.attempt)) {
      rejected.push_back({&e, "retries-exhausted", std::string(reason)});
    } else {
      retriedLater.push_back(&e);
    }
    outputs.push_back({"retry:" + coordinates(message),
                       [retries, message, attempt = e.attempt, why = std::string(reason), notBefore]() mutable {
                         retries.publish(message, attempt, why, notBefore);
                       }});
  }

  // A message the decoder refused, or one the handler keeps failing on.
  void deadLetter(FailedMessage message, std::string errorClass, std::string error, int attempts) {
    auto key = "dlq:" + coordinates(message);
    outputs.push_back({std::move(key), [this, m = std::move(message), c = std::move(errorClass),
                                        x = std::move(error), attempts] {
                         lane_.deadLetters_.publish(m, c, x, attempts);
                       }});
  }

  std::vector<StepOutcome> callOutside(std::span<const OutsideStep> steps) override {
    if (steps.empty()) return {};
    for (const auto& s : steps)
      if (s.event < batch_.events.data() || s.event >= batch_.events.data() + batch_.events.size())
        throw std::logic_error("OutsideStep '" + s.name + "': the event is not from this batch");
    return lane_.ctx_.outside.run(steps, lane_.ledgerPg_.get(), replaying(), [this] { txn_.exec("SELECT 1"); });
  }

  bool lastAttempt(const ConsumedEvent& e) const override {
    const auto* route = lane_.ctx_.routes.find(e.source.topic);
    return !route || !route->failures.retryTopic || RetryTopicPublisher(lane_.producer_, lane_.deadLetters_,
                                                                      lane_.retryScheduleOf(e)).exhausted(e.attempt);
  }

  void duplicate(const ConsumedEvent& e) override { duplicates[{e.source.topic, e.envelope.eventType}]++; }

  struct Rejection {
    const ConsumedEvent* event;
    std::string errorClass;
    std::string message;
  };
  std::vector<Rejection> rejected;
  std::vector<const ConsumedEvent*> retriedLater;
  struct FollowUp {
    std::string topic;
    std::string key;
    Envelope event;
    std::string ledgerKey;  // "emit:<causing message>", empty: always produced
  };
  std::vector<FollowUp> followUps;
  // Dead letters and retry copies, produced after the handler unless an earlier run delivered them.
  struct Output {
    std::string ledgerKey;
    std::function<void()> produce;
  };
  std::vector<Output> outputs;
  std::map<std::pair<std::string, std::string>, double> duplicates;

 private:
  static std::string coordinates(const FailedMessage& m) {
    return m.topic + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset);
  }

  FailedMessage failedMessageOf(const ConsumedEvent& e) const {
    auto index = static_cast<std::size_t>(&e - batch_.events.data());
    if (index >= batch_.events.size()) throw std::logic_error("Effects: the event is not from this batch");
    return toFailedMessage(*batch_.eventMessages[index]);
  }

  ApplyLane& lane_;
  pqxx::work& txn_;
  const ConsumedBatch& batch_;
  std::unordered_map<std::string, const ConsumedEvent*> causes_;  // eventId -> event, made on the first emit
};

ApplyLane::ApplyLane(int index, Context context, std::unique_ptr<BatchHandler> handler)
    : index_(index),
      ctx_(std::move(context)),
      handler_(std::move(handler)),
      pg_(ctx_.settings.databaseUrl, ctx_.settings.idleInTransactionTimeout),
      redis_(ctx_.settings.redisUrl),
      redisEffects_(ctx_.definition.redisPrefix, ctx_.definition.consumerGroup, !ctx_.settings.replaying),
      producer_(ctx_.kafka,
                "qrfleet-" + ctx_.definition.name + "-" + ctx_.settings.instanceId + "-lane" + std::to_string(index)),
      deadLetters_(producer_, ctx_.definition.name),
      redisRecovery_(ctx_.offsets, redisEffects_, ctx_.definition.redisPrefix, ctx_.log),
      usesRedis_(!ctx_.definition.redisPrefix.empty()),
      ledgerPg_(ctx_.settings.databaseUrl),
      outputLedger_(ctx_.definition.postgresSchema, ctx_.definition.consumerGroup) {
  thread_ = std::thread([this] { run(); });
}

ApplyLane::~ApplyLane() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  thread_.join();
  producer_.flush(milliseconds(10000));
}

bool ApplyLane::submit(ConsumedBatch& batch, milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto room = [&] {
    return queuedEvents_ < static_cast<std::size_t>(ctx_.settings.laneQueueMaxEvents) &&
           queuedBytes_ < ctx_.settings.laneQueueMaxBytes;
  };
  if (!changed_.wait_for(lock, wait, room)) return false;
  queuedEvents_ += batch.size();
  queuedBytes_ += batch.bytes;
  queue_.push_back(std::move(batch));
  changed_.notify_all();
  return true;
}

bool ApplyLane::waitIdle(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

std::vector<ConsumedBatch> ApplyLane::takeQueued() {
  std::vector<ConsumedBatch> chunks;
  std::map<TopicPartition, std::int64_t> epochs;  // of the chunks taken
  std::size_t events = 0;
  const auto limit = static_cast<std::size_t>(ctx_.settings.batchMaxEvents);
  do {
    auto& next = queue_.front();
    events += next.size();
    queuedEvents_ -= next.size();
    queuedBytes_ -= next.bytes;
    epochs.insert(next.epochs.begin(), next.epochs.end());
    chunks.push_back(std::move(next));
    queue_.pop_front();
  } while (!queue_.empty() && events + queue_.front().size() <= limit &&
           ConsumedBatch::epochsAgree(epochs, queue_.front().epochs));
  return chunks;
}

void ApplyLane::warmProducer() {
  // Dead letters and retry copies can come from any lane; follow-ups from the handler.
  auto topics = handler_->emitsTo();
  topics.emplace_back(DeadLetterPublisher::topic);
  for (const auto& r : ctx_.routes.routes())
    if (r.failures.retryTopic) topics.push_back(retryTopicOf(r.topic));
  auto failed = producer_.warm(topics, milliseconds(5000));
  if (!failed.empty())
    ctx_.log.warn("could not look up topics to produce to; the first event to each waits for it",
                  {{"lane", index_}, {"topics", failed}});
}

void ApplyLane::run() {
  warmProducer();
  for (;;) {
    std::vector<ConsumedBatch> chunks;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing and drained
      chunks = takeQueued();
      busy_ = true;
    }
    changed_.notify_all();  // room for more chunks while this batch applies
    // Merged outside the lock: the consumer keeps queueing meanwhile.
    ConsumedBatch batch = std::move(chunks.front());
    for (std::size_t i = 1; i < chunks.size(); ++i) batch.append(std::move(chunks[i]));
    {
      std::lock_guard stores(storeMutex_);
      try {
        process(batch);
      } catch (const std::exception& e) {
        // process() handles every failure it knows; anything else must not kill the lane.
        ctx_.log.error("apply lane failed a batch; it is re-read after restart", {{"lane", index_}, {"error", e.what()}});
      }
    }
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
    changed_.notify_all();
  }
}

void ApplyLane::checkStores() {
  std::unique_lock stores(storeMutex_, std::try_to_lock);
  if (!stores) return;  // busy applying: the batch result tells
  postgresUp_ = pg_.ping();
  if (usesRedis_) redisUp_ = redis_.ping();
}

void ApplyLane::dropUnowned(ConsumedBatch& b) {
  auto stillOwned = [&](const TopicPartition& tp) { return ctx_.owns(tp, b.epochs[tp]); };
  b.retain([&](const TopicPartition& tp, std::int64_t) { return stillOwned(tp); });
  std::erase_if(b.lastOffsets, [&](const auto& kv) { return !stillOwned(kv.first); });
  std::erase_if(b.firstOffsets, [&](const auto& kv) { return !stillOwned(kv.first); });
}

std::string ApplyLane::noteFailure(const std::exception& e) {
  auto reason = failureReason(e);
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    pg_.reset();  // reconnect on the next attempt
    ledgerPg_.reset();
    postgresUp_ = false;
  }
  if (reason == "redis" && usesRedis_) redisUp_ = redis_.ping();
  ctx_.metrics.retried(reason);
  return reason;
}

bool ApplyLane::recoverRedis(const RedisStateLost& lost, Backoff& backoff) {
  ctx_.log.warn("Redis state lost", {{"lane", index_}, {"error", lost.what()}});
  try {
    if (redisRecovery_.rebuild(pg_.get(), redis_, *handler_) > 0) ctx_.metrics.retried("redis_rebuilt");
  } catch (const std::exception& e) {
    ctx_.log.warn("Redis rebuild failed; retrying", {{"error", e.what()}});
    pg_.reset();
    if (usesRedis_) redisUp_ = redis_.ping();
    sleepFor(backoff.next());
  }
  return !ctx_.stop;
}

void ApplyLane::dropApplied(ConsumedBatch& b, const TopicPartition& tp, std::int64_t nextOffset) {
  b.retain([&](const TopicPartition& p, std::int64_t offset) { return p != tp || offset >= nextOffset; });
  if (b.lastOffsets.at(tp) < nextOffset) {
    b.lastOffsets.erase(tp);
    b.firstOffsets.erase(tp);
  } else {
    b.firstOffsets[tp] = nextOffset;
  }
}

std::set<std::string> ApplyLane::produceOutputs(BatchEffects& fx) {
  std::set<std::string> keys;
  for (const auto& f : fx.followUps)
    if (!f.ledgerKey.empty()) keys.insert(f.ledgerKey);
  for (const auto& o : fx.outputs) keys.insert(o.ledgerKey);
  auto delivered = outputLedger_.delivered(ledgerPg_.get(), keys);
  std::size_t skipped = 0;
  for (const auto& f : fx.followUps) {
    if (!f.ledgerKey.empty() && delivered.count(f.ledgerKey)) {
      ++skipped;
      continue;
    }
    producer_.produceEvent(f.topic, f.key, f.event);
  }
  for (const auto& o : fx.outputs) {
    if (delivered.count(o.ledgerKey)) {
      ++skipped;
      continue;
    }
    o.produce();
  }
  if (skipped > 0)
    ctx_.log.info("outputs acknowledged by an earlier run of the batch were not produced again",
                  {{"lane", index_}, {"skipped", skipped}});
  for (const auto& k : delivered) keys.erase(k);
  return keys;
}

void ApplyLane::recordOutputs(const std::set<std::string>& produced) {
  // Kafka has them: retrying the batch now would produce them again, so the
  // record is retried in place until Postgres takes it (or shutdown).
  Backoff backoff(ctx_.settings.retryInitial, ctx_.settings.retryMax);
  for (;;) {
    try {
      outputLedger_.record(ledgerPg_.get(), produced);
      return;
    } catch (const std::exception& e) {
      ledgerPg_.reset();
      if (ctx_.stop) throw;
      auto delay = backoff.next();
      ctx_.log.warn("could not record the outputs Kafka acknowledged; retrying",
                    {{"lane", index_}, {"error", e.what()}, {"retryInMs", delay.count()}});
      sleepFor(delay);
    }
  }
}

void ApplyLane::apply(ConsumedBatch& b) {
  auto t0 = Clock::now();
  auto ms = [](Clock::time_point a, Clock::time_point z) {
    return std::chrono::duration<double, std::milli>(z - a).count();
  };
  pqxx::work txn(pg_.get());
  if (usesRedis_) {
    std::set<TopicPartition> partitions;
    for (const auto& [tp, last] : b.lastOffsets) partitions.insert(tp);
    redisEffects_.begin(redis_, partitions);
    redisRecovery_.check(txn, redisEffects_.unmarked());
  }
  BatchEffects fx(*this, txn, b);
  for (const auto& r : b.rejected)
    fx.deadLetter(r.message, std::string(rejectReasonName(r.reason)), r.error, r.attempts);
  auto tBegin = Clock::now();
  if (!b.events.empty()) ctx_.routes.dispatch(*handler_, b.events, fx);
  auto tHandler = Clock::now();
  auto produced = produceOutputs(fx);
  // Kafka outputs (follow-up events, dead letters, retry copies) are acknowledged before the state commits.
  producer_.flush(milliseconds(30000));
  recordOutputs(produced);
  auto tFlush = Clock::now();
  std::vector<OffsetStore::Advance> advances;
  for (const auto& [tp, last] : b.lastOffsets) advances.push_back({tp, b.firstOffsets.at(tp), last + 1, b.epochs.at(tp)});
  ctx_.offsets.advance(txn, advances);
  auto tOffsets = Clock::now();
  if (usesRedis_ && !redisEffects_.commit(redis_, b.lastOffsets))
    throw RedisError("Redis applied-offset mark moved since the batch began (another consumer applied it)");
  auto tRedis = Clock::now();
  txn.commit();
  if (ctx_.log.enabled(LogLevel::debug))
    ctx_.log.debug("batch applied", {{"lane", index_}, {"events", b.events.size()}, {"rejected", b.rejected.size()},
                                     {"queuedMs", ms(b.decodedAt, t0)}, {"beginMs", ms(t0, tBegin)}, {"handlerMs", ms(tBegin, tHandler)},
                                     {"flushMs", ms(tHandler, tFlush)}, {"offsetsMs", ms(tFlush, tOffsets)}, {"redisMs", ms(tOffsets, tRedis)},
                                     {"commitMs", ms(tRedis, Clock::now())},
                                     {"redisCommands", redisEffects_.queuedCommands()}});

  auto& metrics = ctx_.metrics;
  for (const auto& r : b.rejected) {
    metrics.deadLettered(r.message.topic, std::string(rejectReasonName(r.reason)));
    metrics.processed(r.message.topic, r.eventType.empty() ? "unknown" : r.eventType, "dead_lettered", 1);
    ctx_.log.warn("dead-lettered", {{"topic", r.message.topic}, {"partition", r.message.partition},
                                    {"offset", r.message.offset}, {"errorClass", rejectReasonName(r.reason)},
                                    {"error", r.error}});
  }
  std::map<std::pair<std::string, std::string>, double> applied;
  for (const auto& e : b.events) applied[{e.source.topic, e.envelope.eventType}]++;
  for (const auto& r : fx.rejected) {
    applied[{r.event->source.topic, r.event->envelope.eventType}]--;
    metrics.deadLettered(r.event->source.topic, r.errorClass);
    metrics.processed(r.event->source.topic, r.event->envelope.eventType, "dead_lettered", 1);
    ctx_.log.warn("dead-lettered", {{"topic", r.event->source.topic}, {"partition", r.event->source.partition},
                                    {"offset", r.event->offset}, {"eventId", r.event->envelope.eventId},
                                    {"correlationId", r.event->envelope.correlationId.value_or("")},
                                    {"errorClass", r.errorClass}, {"error", r.message}});
  }
  for (const auto* e : fx.retriedLater) {
    applied[{e->source.topic, e->envelope.eventType}]--;
    metrics.processed(e->source.topic, e->envelope.eventType, "retry_scheduled", 1);
  }
  for (const auto& [k, n] : fx.duplicates) {
    applied[k] -= n;
    metrics.processed(k.first, k.second, "duplicate", n);
  }
  for (const auto& [k, n] : applied)
    if (n > 0) metrics.processed(k.first, k.second, "applied", n);
}

void ApplyLane::sleepFor(milliseconds delay) {
  // The consumer thread keeps polling meanwhile, so the group membership holds.
  auto deadline = Clock::now() + delay;
  while (!ctx_.stop && Clock::now() < deadline) std::this_thread::sleep_for(std::min<milliseconds>(delay, milliseconds(50)));
}

void ApplyLane::process(ConsumedBatch& b) {
  auto started = Clock::now();
  Backoff backoff(ctx_.settings.retryInitial, ctx_.settings.retryMax);
  dropUnowned(b);
  ctx_.routes.group(b);  // each route's events one span, for every attempt
  while (!b.lastOffsets.empty()) {
    try {
      apply(b);
      postgresUp_ = true;
      redisUp_ = true;
      afterCommit(b, started);
      return;
    } catch (const StaleOwner& e) {
      ctx_.log.warn("no longer the owner of a partition; dropping its events", {{"partition", e.partition.str()}});
      b.epochs[e.partition] = -1;  // never matches a claim: dropUnowned removes it
      dropUnowned(b);
      continue;
    } catch (const AlreadyApplied& e) {
      ctx_.log.warn("part of the batch was committed before; applying the rest", {{"partition", e.partition.str()},
                                                                                 {"appliedUpTo", e.nextOffset}});
      dropApplied(b, e.partition, e.nextOffset);
      continue;
    } catch (const RedisStateLost& e) {
      if (!recoverRedis(e, backoff)) return;
      continue;
    } catch (const std::exception& e) {
      auto reason = noteFailure(e);
      if (classifyFailure(e) == FailureKind::permanent) {
        // Not the stores: some event breaks the handler. Find it by applying
        // the events one at a time; retrying the whole batch would not help.
        ctx_.log.error("batch failed; applying its events one by one to isolate the failing one",
                       {{"lane", index_}, {"error", e.what()}, {"events", b.size()}});
        if (applyOneByOne(b)) afterCommit(b, started);
        return;
      }
      auto delay = backoff.next();
      ctx_.log.warn("batch failed; retrying", {{"lane", index_}, {"error", e.what()}, {"reason", reason},
                                               {"attempt", backoff.attempts()}, {"retryInMs", delay.count()},
                                               {"events", b.size()}});
      sleepFor(delay);
      if (ctx_.stop) {
        ctx_.log.warn("shutdown during retries: batch abandoned uncommitted; it is re-read on restart");
        return;
      }
      dropUnowned(b);
    }
  }
}

bool ApplyLane::applyOneByOne(ConsumedBatch& b) {
  // Every message becomes a batch of its own, in offset order (offsets only
  // move forward). An event that makes the handler throw gets
  // HANDLER_MAX_ATTEMPTS attempts on its own, with backoff, and is then
  // dead-lettered as handler-rejected; its partition goes on. Store failures
  // are retried in place as for any batch.
  struct Item {
    TopicPartition tp;
    std::int64_t offset;
    std::optional<std::size_t> event;
    std::optional<std::size_t> reject;
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < b.events.size(); ++i) items.push_back({b.events[i].source, b.events[i].offset, i, {}});
  for (std::size_t i = 0; i < b.rejected.size(); ++i)
    items.push_back({{b.rejected[i].message.topic, b.rejected[i].message.partition}, b.rejected[i].message.offset, {}, i});
  std::sort(items.begin(), items.end(),
            [](const Item& x, const Item& y) { return std::tie(x.tp, x.offset) < std::tie(y.tp, y.offset); });
  for (const auto& item : items) {
    ConsumedBatch one;
    one.epochs = b.epochs;
    one.lastOffsets[item.tp] = item.offset;
    one.firstOffsets[item.tp] = item.offset;
    if (item.reject) {
      one.rejected.push_back(b.rejected[*item.reject]);
    } else {
      one.events.push_back(b.events[*item.event]);
      one.eventMessages.push_back(b.eventMessages[*item.event]);
    }
    Backoff backoff(ctx_.settings.retryInitial, ctx_.settings.retryMax);
    int handlerFailures = 0;
    while (!one.lastOffsets.empty()) {
      try {
        apply(one);
        break;
      } catch (const StaleOwner& e) {
        one.epochs[e.partition] = -1;
        dropUnowned(one);
        continue;
      } catch (const AlreadyApplied& e) {
        dropApplied(one, e.partition, e.nextOffset);
        continue;
      } catch (const RedisStateLost& e) {
        if (!recoverRedis(e, backoff)) return false;
        continue;
      } catch (const std::exception& e) {
        bool handlerFault = classifyFailure(e) == FailureKind::permanent && !one.events.empty();
        noteFailure(e);
        if (handlerFault && ++handlerFailures >= handlerAttemptsOf(one.events.front())) {
          const auto& ev = one.events.front();
          one.rejected.push_back({toFailedMessage(*one.eventMessages.front()), RejectReason::handlerRejected,
                                  std::string("handler error: ") + e.what(), ev.envelope.eventType, handlerFailures});
          one.events.clear();
          one.eventMessages.clear();
          continue;
        }
        auto delay = backoff.next();
        ctx_.log.warn(handlerFault ? "event failed in the handler; retrying it" : "event failed; retrying",
                      {{"lane", index_}, {"topic", item.tp.topic}, {"partition", item.tp.partition},
                       {"offset", item.offset}, {"error", e.what()}, {"attempt", handlerFailures},
                       {"retryInMs", delay.count()}});
        sleepFor(delay);
        if (ctx_.stop) return false;
        dropUnowned(one);
      }
    }
  }
  return true;
}

RetrySchedule ApplyLane::retryScheduleOf(const ConsumedEvent& e) const {
  auto schedule = ctx_.settings.retryTopics;
  if (const auto* route = ctx_.routes.find(e.source.topic)) {
    if (route->failures.retryAttempts > 0) schedule.maxAttempts = route->failures.retryAttempts;
    if (!route->failures.retryDelays.empty()) schedule.delays = route->failures.retryDelays;
  }
  return schedule;
}

int ApplyLane::handlerAttemptsOf(const ConsumedEvent& e) const {
  const auto* route = ctx_.routes.find(e.source.topic);
  return route && route->failures.handlerAttempts > 0 ? route->failures.handlerAttempts
                                                      : ctx_.settings.handlerMaxAttempts;
}

void ApplyLane::afterCommit(const ConsumedBatch& b, Clock::time_point started) {
  auto& metrics = ctx_.metrics;
  metrics.batchFinished(std::chrono::duration<double>(Clock::now() - started).count(), static_cast<double>(b.size()));
  auto now = nowMillis();
  std::map<std::string, double> consumed;
  std::map<std::string, std::vector<double>> ages;
  for (const auto& e : b.events) {
    consumed[e.source.topic]++;
    if (e.kafkaTimestampMs > 0) ages[e.source.topic].push_back(static_cast<double>(now - e.kafkaTimestampMs) / 1000.0);
  }
  for (const auto& r : b.rejected) consumed[r.message.topic]++;
  for (const auto& [topic, n] : consumed) metrics.consumed(topic, n);
  for (const auto& [topic, a] : ages) metrics.eventAges(topic, a);
  ctx_.committed(b.lastOffsets);
}

}  // namespace qrfleet
