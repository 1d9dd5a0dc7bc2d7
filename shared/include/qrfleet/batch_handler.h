#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qrfleet/envelope.h"
#include "qrfleet/outside_step.h"
#include "qrfleet/stores/redis_effects.h"
#include "qrfleet/stores/redis_keyspace.h"
#include "qrfleet/topic_partition.h"

namespace qrfleet {

// One decoded Kafka message, as a handler sees it.
struct ConsumedEvent {
  TopicPartition source;
  std::int64_t offset = 0;
  std::string key;
  std::int64_t kafkaTimestampMs = 0;
  Envelope envelope;
  int attempt = 1;  // > 1 when it came back from the retry topic
  // The route's typed decode of the payload (Route::decode), made by the
  // consumer; envelope.payload is then left empty. Null for untyped routes and
  // for events made without a consumer.
  std::shared_ptr<const void> typed = {};
};

// Redis writes for one event; a no-op when that event's offset was already
// applied to Redis (by an earlier attempt or a previous owner).
class RedisWriter {
 public:
  explicit RedisWriter(RedisEffects* effects) : effects_(effects) {}
  explicit operator bool() const { return effects_ != nullptr; }
  void incrBy(const std::string& key, std::int64_t by) { if (effects_) effects_->incrBy(key, by); }
  void pfAdd(const std::string& key, const std::string& member) { if (effects_) effects_->pfAdd(key, member); }
  void xAdd(const std::string& key, std::int64_t maxLen, const std::vector<std::pair<std::string, std::string>>& f) {
    if (effects_) effects_->xAdd(key, maxLen, f);
  }
  void command(std::vector<std::string> argv) { if (effects_) effects_->command(std::move(argv)); }
  // PUBLISH for live subscribers (websocket gateways). Not sent during a
  // replay: the news is old.
  void publish(const std::string& channel, const std::string& message) {
    if (effects_) effects_->publish(channel, message);
  }

 private:
  RedisEffects* effects_;
};

// What a handler may do with a batch. Everything here is applied atomically
// with the batch's offsets by the runtime, or not at all.
class Effects {
 public:
  virtual ~Effects() = default;
  // The batch's Postgres transaction (the runtime commits it).
  virtual pqxx::work& sql() = 0;
  // Redis writes caused by `event`.
  virtual RedisWriter redis(const ConsumedEvent& event) = 0;
  // The service's Redis as it was before this batch: the batch's own writes
  // are applied at commit. Reads only; a key's partition owner is the only
  // writer, so what it reads stays true until the batch commits.
  virtual RedisClient& redisReader() = 0;
  // True under `qrfleet replay`: the state is being rebuilt from the log.
  // Follow-up events are in the log already, so emit() and publish() are
  // dropped; a handler must not take new decisions from anything but events.
  virtual bool replaying() const = 0;
  // Produce a follow-up event; acknowledged by Kafka before the batch commits.
  // Give derived events deterministic ids (deterministicEventId).
  virtual void emit(const std::string& topic, const std::string& key, const Envelope& event) = 0;
  // A follow-up that belongs to an entity rather than to the message that
  // happened to cause it (a batch's completion, emitted by whichever of its
  // chunks finishes it, which can differ between a run and its re-run):
  // recorded under the event's own id, so it is produced once however many
  // messages emit it. Its id must be a function of the entity alone.
  virtual void emitOnce(const std::string& topic, const std::string& key, const Envelope& event) = 0;
  // The event breaks a domain rule: dead-letter it (the batch goes on).
  virtual void reject(const ConsumedEvent& event, RejectReason reason, std::string_view message) = 0;
  // Slow external work failed for now: try the event again later through
  // `<topic>-retry` (RETRY_TOPIC_DELAYS_MS, or `notBefore` if later: a
  // provider's Retry-After), or dead-letter it as retries-exhausted after
  // RETRY_TOPIC_ATTEMPTS, or the route's own policy). The batch goes on; the
  // event's route must declare FailurePolicy::retryTopic and the retry topic must exist.
  // Dead letters and retry copies are produced once per message however
  // often its batch runs (OutputLedger).
  virtual void retryLater(const ConsumedEvent& event, std::string_view reason,
                          std::chrono::milliseconds notBefore = std::chrono::milliseconds(0)) = 0;
  // Makes the batch's outside calls (SMTP sends, HTTP requests, object puts),
  // many at once (OUTSIDE_CONCURRENCY, OUTSIDE_TARGET_CONCURRENCY), and returns
  // their outcomes in the order given. Each outcome is recorded (AttemptLedger)
  // before this returns, outside the batch's transaction: when the batch runs
  // again (a store failure, a crash, the isolation of a failing event, a
  // replay) a step with a final outcome is not called again; its recorded
  // outcome comes back with fromLedger set. Turn the outcomes into effects:
  // state for successes, reject() for permanent failures, retryLater() with
  // the outcome's retryAfter for transient ones.
  virtual std::vector<StepOutcome> callOutside(std::span<const OutsideStep> steps) = 0;
  // Whether this is the event's last attempt under its route's retry policy
  // (a retryLater() now dead-letters it): a handler that ends such an event
  // in its own terms (a notification marked failed) asks this instead.
  virtual bool lastAttempt(const ConsumedEvent& event) const = 0;
  // The event was delivered before (same eventId): counted for metrics only.
  virtual void duplicate(const ConsumedEvent& event) = 0;
};

// A service's domain logic, one instance per apply lane: the members its
// routes name (see Route) turn a batch's events into effects.
// Failures: Effects::reject() (this event is wrong: dead-letter it now),
// Effects::retryLater() (this event's external work failed: retry it later),
// throw TransientError (a dependency is down: retry the whole batch in place
// with backoff); any other exception is treated as a bug or bad data in some
// event: the runtime isolates it and gives it its route's handler attempts.
class BatchHandler {
 public:
  virtual ~BatchHandler() = default;
  // Topics Effects::emit() may produce to: the runtime warms its producers
  // for them at start, so the first follow-up event is as fast as the rest.
  virtual std::vector<std::string> emitsTo() const { return {}; }
  // Writes the service's whole Redis state from its Postgres tables, as of
  // `sql`'s snapshot. The runtime calls it when Redis came back empty (its
  // applied-offset marks are gone while Postgres has offsets), with writes
  // blocked until it commits. Services that keep state in Redis override it.
  virtual void rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const {
    static_cast<void>(sql);
    static_cast<void>(redis);
  }
};

// An event with its payload decoded (typed routes hand these over; `Event`
// is one event class or a std::variant of several).
// `data` is the decode the consumer made as it polled the message, kept with
// the event (ConsumedEvent::typed): handed over without a copy.
template <class Event>
struct Decoded {
  const ConsumedEvent* event;
  const Event& data;
};

}  // namespace qrfleet
