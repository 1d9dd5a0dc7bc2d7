#include "qrfleet/batch_consumer.h"

#include <algorithm>
#include <thread>

#include "qrfleet/backoff.h"
#include "qrfleet/failure_kind.h"
#include "qrfleet/time_format.h"

namespace qrfleet {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

FailedMessage toFailedMessage(const RdKafka::Message& m) {
  FailedMessage f;
  f.topic = m.topic_name();
  f.partition = m.partition();
  f.offset = m.offset();
  if (m.key()) f.key = *m.key();
  f.value.assign(static_cast<const char*>(m.payload()), m.len());
  if (const RdKafka::Headers* h = const_cast<RdKafka::Message&>(m).headers()) {
    for (const auto& hdr : h->get_all())
      f.headers.emplace_back(hdr.key(), std::string(static_cast<const char*>(hdr.value()), hdr.value_size()));
  }
  return f;
}

std::string headerValue(const RdKafka::Message& m, const char* name) {
  const RdKafka::Headers* h = const_cast<RdKafka::Message&>(m).headers();
  if (!h) return {};
  auto hdr = h->get_last(name);
  if (hdr.err() != RdKafka::ERR_NO_ERROR || hdr.value() == nullptr) return {};
  return std::string(static_cast<const char*>(hdr.value()), hdr.value_size());
}

}  // namespace

// Effects of one attempt at one batch.
class BatchConsumer::BatchEffects : public Effects {
 public:
  BatchEffects(BatchConsumer& owner, pqxx::work& txn, const std::vector<const RdKafka::Message*>& messages,
               const std::vector<ConsumedEvent>& events)
      : owner_(owner), txn_(txn), messages_(messages), events_(events) {}

  pqxx::work& sql() override { return txn_; }

  RedisWriter redis(const ConsumedEvent& e) override {
    return RedisWriter(e.offset > owner_.redisEffects_.appliedUpTo(e.source) ? &owner_.redisEffects_ : nullptr);
  }

  void emit(const std::string& topic, const std::string& key, const Envelope& event) override {
    owner_.producer_.produceEvent(topic, key, event);
  }

  void reject(const ConsumedEvent& e, RejectReason reason, std::string_view message) override {
    auto index = static_cast<std::size_t>(&e - events_.data());
    if (index >= events_.size()) throw std::logic_error("Effects::reject: event is not from this batch");
    owner_.deadLetters_.publish(toFailedMessage(*messages_[index]), rejectReasonName(reason), message, 1);
    rejected.push_back({&e, std::string(rejectReasonName(reason)), std::string(message)});
  }

  void duplicate(const ConsumedEvent& e) override { duplicates[{e.source.topic, e.envelope.eventType}]++; }

  struct Rejection {
    const ConsumedEvent* event;
    std::string errorClass;
    std::string message;
  };
  std::vector<Rejection> rejected;
  std::map<std::pair<std::string, std::string>, double> duplicates;

 private:
  BatchConsumer& owner_;
  pqxx::work& txn_;
  const std::vector<const RdKafka::Message*>& messages_;
  const std::vector<ConsumedEvent>& events_;
};

BatchConsumer::BatchConsumer(const ServiceDefinition& definition, const RuntimeSettings& settings,
                             const KafkaSettings& kafka, BatchHandler& handler, JsonLogger& log,
                             RuntimeMetrics& metrics, const std::atomic<bool>& stop)
    : def_(definition),
      settings_(settings),
      handler_(handler),
      log_(log),
      metrics_(metrics),
      stop_(stop),
      pg_(settings.databaseUrl),
      redis_(settings.redisUrl),
      offsets_(definition.postgresSchema, definition.consumerGroup, settings.instanceId),
      redisEffects_(definition.redisPrefix, definition.consumerGroup),
      producer_(kafka, "qrfleet-" + definition.name + "-" + settings.instanceId),
      deadLetters_(producer_, definition.name) {
  auto conf = kafka.makeConf();
  setKafkaProperty(*conf, "group.id", def_.consumerGroup);
  setKafkaProperty(*conf, "client.id", "qrfleet-" + def_.name + "-" + settings_.instanceId);
  setKafkaProperty(*conf, "partition.assignment.strategy", "cooperative-sticky");
  setKafkaProperty(*conf, "enable.auto.commit", "false");
  setKafkaProperty(*conf, "enable.auto.offset.store", "false");
  setKafkaProperty(*conf, "auto.offset.reset", "earliest");
  setKafkaProperty(*conf, "enable.partition.eof", "false");
  setKafkaProperty(*conf, "max.poll.interval.ms", "300000");
  setKafkaProperty(*conf, "session.timeout.ms", std::to_string(settings_.sessionTimeout.count()));
  setKafkaProperty(*conf, "heartbeat.interval.ms", std::to_string(std::max<long>(500, settings_.sessionTimeout.count() / 5)));
  setKafkaProperty(*conf, "fetch.wait.max.ms", "50");
  // Prefetch is per partition: 50 partitions x 1 MB bounds the worker's queue memory.
  setKafkaProperty(*conf, "queued.max.messages.kbytes", "1024");
  setKafkaProperty(*conf, "queued.min.messages", "2000");
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), err) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(this), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(err);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_) throw std::runtime_error("cannot create Kafka consumer: " + err);
}

BatchConsumer::~BatchConsumer() = default;

bool BatchConsumer::healthy() const { return nowMillis() - lastTurnMs_.load() < 60000; }

bool BatchConsumer::ready() const { return joined_.load() && postgresUp_.load() && redisUp_.load(); }

void BatchConsumer::event_cb(RdKafka::Event& event) {
  if (event.type() == RdKafka::Event::EVENT_ERROR) {
    log_.log(event.fatal() ? LogLevel::error : LogLevel::warn, "kafka: " + event.str(),
             {{"kafkaError", RdKafka::err2str(event.err())}, {"fatal", event.fatal()}});
  } else if (event.type() == RdKafka::Event::EVENT_LOG && event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
    log_.warn("kafka: " + event.str(), {{"facility", event.fac()}});
  }
}

void BatchConsumer::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                 std::vector<RdKafka::TopicPartition*>& partitions) {
  cooperative_ = consumer->rebalance_protocol() == "COOPERATIVE";
  std::vector<TopicPartition> tps;
  for (auto* p : partitions) tps.push_back({p->topic(), p->partition()});
  auto purge = [&] {
    std::erase_if(inbox_, [&](const auto& m) {
      return std::find(tps.begin(), tps.end(), TopicPartition{m->topic_name(), m->partition()}) != tps.end();
    });
  };
  nlohmann::json names = nlohmann::json::array();
  for (const auto& tp : tps) names.push_back(tp.str());

  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    if (!cooperative_) owned_.clear();
    std::map<TopicPartition, PartitionClaim> claims;
    Backoff backoff(settings_.retryInitial, settings_.retryMax);
    while (!tps.empty()) {
      try {
        claims = offsets_.claim(pg_.get(), tps);
        postgresUp_ = true;
        break;
      } catch (const std::exception& e) {
        pg_.reset();
        postgresUp_ = false;
        if (stop_) break;
        auto delay = backoff.next();
        log_.warn("cannot claim partitions in Postgres; retrying",
                  {{"error", e.what()}, {"retryInMs", delay.count()}, {"partitions", names}});
        std::this_thread::sleep_for(delay);
      }
    }
    for (auto* p : partitions) {
      auto it = claims.find({p->topic(), p->partition()});
      if (it == claims.end()) {
        p->set_offset(RdKafka::Topic::OFFSET_INVALID);
        continue;
      }
      p->set_offset(it->second.nextOffset >= 0 ? it->second.nextOffset : RdKafka::Topic::OFFSET_BEGINNING);
      owned_[it->first] = it->second.epoch;
    }
    purge();
    if (cooperative_) {
      std::unique_ptr<RdKafka::Error> error(consumer->incremental_assign(partitions));
      if (error) log_.error("assign failed", {{"error", error->str()}});
    } else if (auto code = consumer->assign(partitions); code != RdKafka::ERR_NO_ERROR) {
      log_.error("assign failed", {{"error", RdKafka::err2str(code)}});
    }
    joined_ = true;
    metrics_.rebalanced("assign");
    log_.info("partitions assigned", {{"partitions", names}, {"protocol", cooperative_ ? "cooperative" : "eager"}});
  } else if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
    for (const auto& tp : tps) {
      owned_.erase(tp);
      metrics_.clearLag(tp.topic, tp.partition);
    }
    purge();
    if (cooperative_) {
      std::unique_ptr<RdKafka::Error> error(consumer->incremental_unassign(partitions));
      if (error) log_.error("unassign failed", {{"error", error->str()}});
    } else {
      consumer->unassign();
    }
    metrics_.rebalanced("revoke");
    log_.info("partitions revoked", {{"partitions", names}});
  } else {
    log_.error("rebalance error", {{"error", RdKafka::err2str(err)}});
    owned_.clear();
    inbox_.clear();
    consumer->unassign();
    metrics_.rebalanced("error");
  }
  metrics_.setAssignedPartitions(static_cast<double>(owned_.size()));
}

void BatchConsumer::collect() {
  auto deadline = Clock::now() + settings_.batchMaxWait;
  while (static_cast<int>(inbox_.size()) < settings_.batchMaxEvents && !stop_) {
    auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return;
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(remaining)));
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        inbox_.push_back(std::move(m));
        break;
      case RdKafka::ERR__TIMED_OUT:
        return;
      case RdKafka::ERR__PARTITION_EOF:
        break;
      default:
        log_.warn("kafka consume error", {{"error", m->errstr()}});
        return;
    }
  }
}

BatchConsumer::Batch BatchConsumer::decode(std::vector<std::unique_ptr<RdKafka::Message>> messages) {
  Batch b;
  b.events.reserve(messages.size());
  for (auto& m : messages) {
    TopicPartition tp{m->topic_name(), m->partition()};
    auto owner = owned_.find(tp);
    if (owner == owned_.end()) continue;  // revoked while queued: the new owner reads it
    b.lastOffsets[tp] = std::max(b.lastOffsets.count(tp) ? b.lastOffsets[tp] : -1, m->offset());
    b.epochs[tp] = owner->second;
    auto reject = [&](RejectReason reason, std::string error, std::string type) {
      b.rejected.push_back({toFailedMessage(*m), reason, std::move(error), std::move(type)});
    };
    std::string typeHeader = headerValue(*m, "event-type");
    if (m->len() > settings_.maxEventBytes) {
      reject(RejectReason::oversized,
             "message is " + std::to_string(m->len()) + " bytes; MAX_EVENT_BYTES is " +
                 std::to_string(settings_.maxEventBytes),
             typeHeader);
      continue;
    }
    if (m->key() == nullptr || m->key()->empty()) {
      reject(RejectReason::missingKey, "message has no Kafka key; topic contract requires one", typeHeader);
      continue;
    }
    try {
      auto env = Envelope::decode(std::string_view(static_cast<const char*>(m->payload()), m->len()));
      if (!handler_.handlesType(env.eventType)) {
        reject(RejectReason::unknownEventType, "event type '" + env.eventType + "' is not handled by " + def_.name,
               env.eventType);
        continue;
      }
      if (!handler_.supportsVersion(env.eventType, env.version)) {
        reject(RejectReason::unsupportedVersion,
               env.eventType + " version " + std::to_string(env.version) + " is not supported by " + def_.name,
               env.eventType);
        continue;
      }
      b.events.push_back(ConsumedEvent{tp, m->offset(), *m->key(), m->timestamp().timestamp, std::move(env)});
      b.eventMessages.push_back(m.get());
    } catch (const EventRejected& e) {
      reject(e.reason(), e.what(), typeHeader);
    }
  }
  b.messages = std::move(messages);
  return b;
}

void BatchConsumer::dropUnowned(Batch& b) {
  auto stillOwned = [&](const TopicPartition& tp) {
    auto it = owned_.find(tp);
    return it != owned_.end() && it->second == b.epochs[tp];
  };
  std::vector<ConsumedEvent> events;
  std::vector<const RdKafka::Message*> eventMessages;
  for (std::size_t i = 0; i < b.events.size(); ++i) {
    if (!stillOwned(b.events[i].source)) continue;
    events.push_back(std::move(b.events[i]));
    eventMessages.push_back(b.eventMessages[i]);
  }
  b.events = std::move(events);
  b.eventMessages = std::move(eventMessages);
  std::erase_if(b.rejected, [&](const Rejected& r) { return !stillOwned({r.message.topic, r.message.partition}); });
  std::erase_if(b.lastOffsets, [&](const auto& kv) { return !stillOwned(kv.first); });
}

void BatchConsumer::apply(Batch& b) {
  auto t0 = Clock::now();
  auto ms = [](Clock::time_point a, Clock::time_point z) {
    return std::chrono::duration<double, std::milli>(z - a).count();
  };
  pqxx::work txn(pg_.get());
  // Safe without a synchronous WAL flush: the offsets commit with the state, so
  // a transaction lost in a Postgres crash is simply consumed again (Redis and
  // Kafka outputs de-duplicate by offset mark and event id).
  txn.exec("SET LOCAL synchronous_commit = off");
  std::set<TopicPartition> partitions;
  for (const auto& [tp, last] : b.lastOffsets) partitions.insert(tp);
  redisEffects_.begin(redis_, partitions);
  BatchEffects fx(*this, txn, b.eventMessages, b.events);
  for (const auto& r : b.rejected) deadLetters_.publish(r.message, rejectReasonName(r.reason), r.error, 1);
  auto tBegin = Clock::now();
  if (!b.events.empty()) handler_.handle(b.events, fx);
  auto tHandler = Clock::now();
  // Kafka outputs (follow-up events, dead letters) are acknowledged before the state commits.
  producer_.flush(milliseconds(30000));
  for (const auto& [tp, last] : b.lastOffsets) offsets_.advance(txn, tp, last + 1, b.epochs.at(tp));
  auto tOffsets = Clock::now();
  if (!redisEffects_.commit(redis_, b.lastOffsets))
    throw RedisError("Redis applied-offset mark moved since the batch began (another consumer applied it)");
  auto tRedis = Clock::now();
  txn.commit();
  if (log_.enabled(LogLevel::debug))
    log_.debug("batch applied", {{"events", b.events.size()}, {"rejected", b.rejected.size()},
                                 {"beginMs", ms(t0, tBegin)}, {"handlerMs", ms(tBegin, tHandler)},
                                 {"flushAndOffsetsMs", ms(tHandler, tOffsets)}, {"redisMs", ms(tOffsets, tRedis)},
                                 {"commitMs", ms(tRedis, Clock::now())}, {"redisCommands", redisEffects_.queuedCommands()}});

  for (const auto& r : b.rejected) {
    metrics_.deadLettered(r.message.topic, std::string(rejectReasonName(r.reason)));
    metrics_.processed(r.message.topic, r.eventType.empty() ? "unknown" : r.eventType, "dead_lettered", 1);
    log_.warn("dead-lettered", {{"topic", r.message.topic}, {"partition", r.message.partition},
                                {"offset", r.message.offset}, {"errorClass", rejectReasonName(r.reason)},
                                {"error", r.error}});
  }
  std::map<std::pair<std::string, std::string>, double> applied;
  for (const auto& e : b.events) applied[{e.source.topic, e.envelope.eventType}]++;
  for (const auto& r : fx.rejected) {
    applied[{r.event->source.topic, r.event->envelope.eventType}]--;
    metrics_.deadLettered(r.event->source.topic, r.errorClass);
    metrics_.processed(r.event->source.topic, r.event->envelope.eventType, "dead_lettered", 1);
    log_.warn("dead-lettered", {{"topic", r.event->source.topic}, {"partition", r.event->source.partition},
                                {"offset", r.event->offset}, {"eventId", r.event->envelope.eventId},
                                {"correlationId", r.event->envelope.correlationId.value_or("")},
                                {"errorClass", r.errorClass}, {"error", r.message}});
  }
  for (const auto& [k, n] : fx.duplicates) {
    applied[k] -= n;
    metrics_.processed(k.first, k.second, "duplicate", n);
  }
  for (const auto& [k, n] : applied)
    if (n > 0) metrics_.processed(k.first, k.second, "applied", n);
}

void BatchConsumer::waitPaused(milliseconds delay) {
  auto paused = ownedHandles();
  consumer_->pause(paused);
  RdKafka::TopicPartition::destroy(paused);
  auto deadline = Clock::now() + delay;
  while (!stop_ && Clock::now() < deadline) {
    auto slice = std::min<long>(200, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
    // Polling while paused keeps the group membership and serves rebalances.
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(std::max<long>(slice, 1))));
    if (m->err() == RdKafka::ERR_NO_ERROR) inbox_.push_back(std::move(m));
    lastTurnMs_ = nowMillis();
  }
  auto resumed = ownedHandles();
  consumer_->resume(resumed);
  RdKafka::TopicPartition::destroy(resumed);
}

void BatchConsumer::process(Batch& b) {
  auto started = Clock::now();
  Backoff backoff(settings_.retryInitial, settings_.retryMax);
  int permanentFailures = 0;
  while (!b.lastOffsets.empty()) {
    try {
      apply(b);
      postgresUp_ = true;
      redisUp_ = true;
      afterCommit(b, started);
      return;
    } catch (const StaleOwner& e) {
      log_.warn("no longer the owner of a partition; dropping its events", {{"partition", e.partition.str()}});
      owned_.erase(e.partition);
      dropUnowned(b);
      continue;
    } catch (const std::exception& e) {
      auto reason = failureReason(e);
      if (reason.rfind("postgres", 0) == 0) {
        if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
          pg_.reset();
          postgresUp_ = false;
        }
      }
      if (reason == "redis") redisUp_ = redis_.ping();
      metrics_.retried(reason);
      if (classifyFailure(e) == FailureKind::permanent && ++permanentFailures >= settings_.handlerMaxAttempts) {
        log_.error("batch keeps failing; applying its events one by one",
                   {{"error", e.what()}, {"attempts", permanentFailures}});
        applyOneByOne(b);
        return;
      }
      auto delay = backoff.next();
      log_.warn("batch failed; retrying", {{"error", e.what()}, {"reason", reason}, {"attempt", backoff.attempts()},
                                           {"retryInMs", delay.count()}, {"events", b.size()}});
      waitPaused(delay);
      if (stop_) {
        log_.warn("shutdown during retries: batch abandoned uncommitted; it is re-read on restart");
        return;
      }
      dropUnowned(b);
    }
  }
}

void BatchConsumer::applyOneByOne(Batch& b) {
  // Isolates what breaks the handler: every message becomes a batch of its
  // own, in offset order (offsets only move forward); an event that still
  // fails is dead-lettered as handler-rejected and the partition goes on.
  struct Item {
    TopicPartition tp;
    std::int64_t offset;
    std::optional<std::size_t> event;  // index into b.events, or a reject
    std::optional<std::size_t> reject;  // index into b.rejected
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < b.events.size(); ++i) items.push_back({b.events[i].source, b.events[i].offset, i, {}});
  for (std::size_t i = 0; i < b.rejected.size(); ++i)
    items.push_back({{b.rejected[i].message.topic, b.rejected[i].message.partition}, b.rejected[i].message.offset, {}, i});
  std::sort(items.begin(), items.end(),
            [](const Item& x, const Item& y) { return std::tie(x.tp, x.offset) < std::tie(y.tp, y.offset); });
  for (const auto& item : items) {
    Batch one;
    one.epochs = b.epochs;
    one.lastOffsets[item.tp] = item.offset;
    if (item.reject) {
      one.rejected.push_back(b.rejected[*item.reject]);
    } else {
      one.events.push_back(b.events[*item.event]);
      one.eventMessages.push_back(b.eventMessages[*item.event]);
    }
    Backoff backoff(settings_.retryInitial, settings_.retryMax);
    while (!one.lastOffsets.empty()) {
      try {
        apply(one);
        break;
      } catch (const StaleOwner& e) {
        owned_.erase(e.partition);
        dropUnowned(one);
      } catch (const std::exception& e) {
        if (classifyFailure(e) == FailureKind::permanent && !one.events.empty()) {
          const auto* m = one.eventMessages.front();
          one.rejected.push_back({toFailedMessage(*m), RejectReason::handlerRejected,
                                  std::string("handler error: ") + e.what(), one.events.front().envelope.eventType});
          one.events.clear();
          one.eventMessages.clear();
          continue;
        }
        pg_.reset();
        waitPaused(backoff.next());
        if (stop_) return;
        dropUnowned(one);
      }
    }
  }
  commitKafkaOffsets(b.lastOffsets, false);
}

void BatchConsumer::afterCommit(const Batch& b, Clock::time_point started) {
  auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  metrics_.batchFinished(seconds, static_cast<double>(b.size()));
  auto now = nowMillis();
  std::map<std::string, double> consumed;
  for (const auto& e : b.events) {
    consumed[e.source.topic]++;
    if (e.kafkaTimestampMs > 0) metrics_.eventAge(e.source.topic, static_cast<double>(now - e.kafkaTimestampMs) / 1000.0);
  }
  for (const auto& r : b.rejected) consumed[r.message.topic]++;
  for (const auto& [topic, n] : consumed) metrics_.consumed(topic, n);
  commitKafkaOffsets(b.lastOffsets, false);
  updateLag();
}

void BatchConsumer::commitKafkaOffsets(const std::map<TopicPartition, std::int64_t>& lastOffsets, bool sync) {
  // Postgres holds the authoritative offsets; Kafka's copy feeds lag monitoring and tools.
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [tp, last] : lastOffsets)
    if (owned_.count(tp)) list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition, last + 1));
  if (!list.empty()) {
    auto err = sync ? consumer_->commitSync(list) : consumer_->commitAsync(list);
    if (err != RdKafka::ERR_NO_ERROR) log_.debug("kafka offset commit failed", {{"error", RdKafka::err2str(err)}});
  }
  RdKafka::TopicPartition::destroy(list);
}

std::vector<RdKafka::TopicPartition*> BatchConsumer::ownedHandles() const {
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [tp, epoch] : owned_) list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition));
  return list;
}

void BatchConsumer::updateLag() {
  auto now = Clock::now();
  if (now - lastLagUpdate_ < std::chrono::seconds(1)) return;
  lastLagUpdate_ = now;
  auto list = ownedHandles();
  consumer_->position(list);
  for (auto* p : list) {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(p->topic(), p->partition(), &low, &high) != RdKafka::ERR_NO_ERROR) continue;
    if (p->offset() >= 0 && high >= 0) metrics_.setLag(p->topic(), p->partition(), static_cast<double>(high - p->offset()));
  }
  RdKafka::TopicPartition::destroy(list);
}

void BatchConsumer::checkStores() {
  auto now = Clock::now();
  if (now - lastStoreCheck_ < std::chrono::seconds(2)) return;
  lastStoreCheck_ = now;
  postgresUp_ = pg_.ping();
  redisUp_ = redis_.ping();
}

void BatchConsumer::run() {
  offsets_.ensureTable(pg_.get());
  postgresUp_ = true;
  redisUp_ = redis_.ping();
  auto err = consumer_->subscribe(def_.topics);
  if (err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("subscribe failed: " + RdKafka::err2str(err));
  while (!stop_) {
    lastTurnMs_ = nowMillis();
    collect();
    if (inbox_.empty()) {
      checkStores();
      updateLag();
      metrics_.setReady(ready());
      continue;
    }
    std::vector<std::unique_ptr<RdKafka::Message>> messages;
    messages.reserve(inbox_.size());
    for (auto& m : inbox_) messages.push_back(std::move(m));
    inbox_.clear();
    auto tDecode = Clock::now();
    auto batch = decode(std::move(messages));
    if (log_.enabled(LogLevel::debug))
      log_.debug("batch decoded", {{"messages", batch.size()},
                                   {"decodeMs", std::chrono::duration<double, std::milli>(Clock::now() - tDecode).count()}});
    process(batch);
    metrics_.setReady(ready());
  }
  log_.info("shutting down: leaving the consumer group");
  consumer_->close();
  producer_.flush(milliseconds(10000));
}

}  // namespace qrfleet
