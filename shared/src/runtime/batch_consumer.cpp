#include "qrfleet/runtime/batch_consumer.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <thread>

#include "qrfleet/runtime/backoff.h"
#include "qrfleet/runtime/runtime_tables.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::string headerValue(const RdKafka::Message& m, std::string_view name) {
  const RdKafka::Headers* h = const_cast<RdKafka::Message&>(m).headers();
  if (!h) return {};
  auto hdr = h->get_last(std::string(name));
  if (hdr.err() != RdKafka::ERR_NO_ERROR || hdr.value() == nullptr) return {};
  return std::string(static_cast<const char*>(hdr.value()), hdr.value_size());
}

std::int64_t headerNumber(const RdKafka::Message& m, std::string_view name, std::int64_t fallback) {
  auto text = headerValue(m, name);
  std::int64_t value = fallback;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

BatchConsumer::BatchConsumer(const ServiceDefinition& definition, const RuntimeSettings& settings,
                             const KafkaSettings& kafka, std::vector<std::unique_ptr<BatchHandler>> handlers,
                             JsonLogger& log, RuntimeMetrics& metrics, const std::atomic<bool>& stop)
    : def_(definition),
      settings_(settings),
      log_(log),
      metrics_(metrics),
      stop_(stop),
      routes_(definition.routes),
      pg_(settings.databaseUrl, settings.idleInTransactionTimeout),
      offsets_(definition.postgresSchema, definition.consumerGroup, settings.instanceId),
      outside_(definition.postgresSchema, settings.databaseUrl, settings.outsideLimits, log, metrics, stop) {
  if (handlers.empty()) throw std::logic_error("BatchConsumer needs at least one handler");
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
  // The broker answers a fetch once 64 kB are ready or 25 ms have passed:
  // answering each fetch as soon as one message arrives cost the broker
  // half a core at 5,000 events/s over 50 partitions (scripts/bench), CPU
  // the worker and Postgres then lacked; 25 ms is a fixed part of the 100 ms budget.
  setKafkaProperty(*conf, "fetch.min.bytes", "65536");
  setKafkaProperty(*conf, "fetch.wait.max.ms", "25");
  // Prefetch. librdkafka before 2.2 (Debian 12 ships 2.0.2) stops fetching
  // every partition for a fixed second (no fetch.queue.backoff.ms yet) once
  // its queue holds queued.min.messages messages or queued.max.messages.kbytes,
  // counted over the whole consumer queue. With 5,000 messages / 4 MB the
  // queue ran dry within 0.2-0.3 s of each such second: lanes idle 60% of a
  // location bulk apply, consumer waits of 600 ms. So the queue is bounded by
  // bytes alone, enough for about a second of applying. fetch.max.bytes keeps
  // one response at 4 MB (left unset, librdkafka would raise it with the
  // queue to 16 MB: peak RSS 216-256 MB against 172-178); it must stay >=
  // message.max.bytes if an operator raises that. A scan-analytics bulk apply
  // of 200,000 events, alternating runs on one warmed stack: 24,438/24,622
  // events/s before, 43,247/46,309 after (with LANE_QUEUE_MAX_EVENTS 3000),
  // peak RSS 119-124 MB before, 147-152 MB after; 8 MB or 12 MB gave 25-35k.
  setKafkaProperty(*conf, "queued.max.messages.kbytes", "16384");
  setKafkaProperty(*conf, "queued.min.messages", "1000000");
  setKafkaProperty(*conf, "fetch.max.bytes", "4194304");
  // KAFKA_PROPERTIES last: an operator can override any default above.
  for (const auto& [k, v] : kafka.extra) setKafkaProperty(*conf, k, v);
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), err) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(this), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(err);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_) throw std::runtime_error("cannot create Kafka consumer: " + err);

  ApplyLane::Context context{def_,
                             settings_,
                             kafka,
                             log_,
                             metrics_,
                             offsets_,
                             routes_,
                             outside_,
                             stop_,
                             [this](const TopicPartition& tp, std::int64_t epoch) { return owns(tp, epoch); },
                             [this](const auto& lastOffsets) { commitKafkaOffsets(lastOffsets); }};
  for (std::size_t i = 0; i < handlers.size(); ++i)
    lanes_.push_back(std::make_unique<ApplyLane>(static_cast<int>(i), context, std::move(handlers[i])));
  // Routes on lanes of their own take the lanes after the shared ones, in route order.
  std::size_t next = static_cast<std::size_t>(settings_.applyLanes);
  for (const auto& r : def_.routes)
    if (r.ownLane) {
      if (next >= lanes_.size())
        throw std::logic_error("BatchConsumer: the route of " + r.topic + " wants a lane of its own; give a handler for it");
      ownLanes_[r.topic] = next;
      if (r.failures.retryTopic) ownLanes_[retryTopicOf(r.topic)] = next;
      ++next;
    }
}

BatchConsumer::~BatchConsumer() = default;

bool BatchConsumer::healthy() const { return nowMillis() - lastTurnMs_.load() < 60000; }

bool BatchConsumer::ready() const {
  if (!joined_.load() || !postgresUp_.load()) return false;
  for (const auto& lane : lanes_)
    if (!lane->postgresUp() || !lane->redisUp()) return false;
  return true;
}

bool BatchConsumer::owns(const TopicPartition& tp, std::int64_t epoch) const {
  std::lock_guard lock(ownedMutex_);
  auto it = owned_.find(tp);
  return it != owned_.end() && it->second == epoch;
}

std::size_t BatchConsumer::laneOf(const TopicPartition& tp) const {
  if (auto own = ownLanes_.find(tp.topic); own != ownLanes_.end()) return own->second;
  auto shared = std::min(lanes_.size(), static_cast<std::size_t>(settings_.applyLanes));
  return (std::hash<std::string>{}(tp.topic) + static_cast<std::size_t>(tp.partition)) % shared;
}

bool BatchConsumer::waitLanesIdle(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  bool idle = true;
  for (auto& lane : lanes_)
    idle = lane->waitIdle(std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()))) && idle;
  return idle;
}

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
    {
      std::lock_guard lock(ownedMutex_);
      if (!cooperative_) {
        owned_.clear();
        deferredUntilMs_.clear();
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
    // Let the lanes finish what they hold (a batch of these partitions commits
    // now, or is fenced off by the next owner's claim), then let go.
    if (!waitLanesIdle(settings_.shutdownTimeout)) log_.warn("revoking while a lane is still retrying a batch");
    {
      std::lock_guard lock(ownedMutex_);
      for (const auto& tp : tps) {
        owned_.erase(tp);
        deferredUntilMs_.erase(tp);
        metrics_.clearLag(tp.topic, tp.partition);
      }
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
    {
      std::lock_guard lock(ownedMutex_);
      owned_.clear();
    }
    inbox_.clear();
    consumer->unassign();
    metrics_.rebalanced("error");
  }
  std::lock_guard lock(ownedMutex_);
  metrics_.setAssignedPartitions(static_cast<double>(owned_.size()));
}

void BatchConsumer::collect() {
  // Block (up to the idle tick) only for the first message, then take what
  // librdkafka has already fetched: a batch never waits to fill. Under load
  // the lanes' queues fill while they apply, and a free lane takes them all.
  auto wait = static_cast<int>(settings_.batchMaxWait.count());
  while (static_cast<int>(inbox_.size()) < settings_.batchMaxEvents && !stop_) {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(wait));
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        inbox_.push_back(std::move(m));
        wait = 0;
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

std::vector<ConsumedBatch> BatchConsumer::decode(std::vector<std::unique_ptr<RdKafka::Message>> messages) {
  std::vector<ConsumedBatch> perLane(lanes_.size());
  std::map<TopicPartition, std::int64_t> owned;
  {
    std::lock_guard lock(ownedMutex_);
    owned = owned_;
  }
  auto now = nowMillis();
  for (auto& b : perLane) b.decodedAt = Clock::now();
  for (auto& polled : messages) {
    std::shared_ptr<RdKafka::Message> m = std::move(polled);
    TopicPartition tp{m->topic_name(), m->partition()};
    auto owner = owned.find(tp);
    if (owner == owned.end()) continue;  // revoked while queued: the new owner reads it
    if (deferring_.count(tp)) continue;  // behind a retry that is not due yet
    int attempt = 1;
    if (retryTopics_.count(tp.topic)) {
      auto due = headerNumber(*m, retry_header::dueAtMs, 0);
      if (due > now) {
        deferring_[tp] = {m->offset(), due};
        continue;
      }
      attempt = static_cast<int>(headerNumber(*m, retry_header::attempt, 1));
    }
    auto& b = perLane[laneOf(tp)];
    b.lastOffsets[tp] = std::max(b.lastOffsets.count(tp) ? b.lastOffsets[tp] : -1, m->offset());
    if (!b.firstOffsets.count(tp)) b.firstOffsets[tp] = m->offset();
    b.epochs[tp] = owner->second;
    b.bytes += m->len();
    b.messages.push_back(m);
    auto reject = [&](RejectReason reason, std::string error, std::string type) {
      b.rejected.push_back({toFailedMessage(*m), reason, std::move(error), std::move(type), attempt});
    };
    std::string typeHeader = headerValue(*m, header::eventType);
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
      if (!routes_.handles(tp.topic, env.eventType)) {
        reject(RejectReason::unknownEventType, "event type '" + env.eventType + "' is not handled by " + def_.name,
               env.eventType);
        continue;
      }
      if (!routes_.supports(tp.topic, env.eventType, env.version)) {
        reject(RejectReason::unsupportedVersion,
               env.eventType + " version " + std::to_string(env.version) + " is not supported by " + def_.name,
               env.eventType);
        continue;
      }
      std::shared_ptr<const void> typed;
      if (const auto* route = routes_.find(tp.topic); route && route->decode) {
        try {
          typed = route->decode(env);  // EventRejected: dead-lettered below, like a bad envelope
        } catch (const EventRejected&) {
          throw;
        } catch (const std::exception& e) {  // a decoder's own bug must not stop the consumer
          throw EventRejected(RejectReason::schemaViolation, std::string("payload: ") + e.what());
        }
        env.payload = nullptr;
      }
      b.events.push_back(
          ConsumedEvent{tp, m->offset(), *m->key(), m->timestamp().timestamp, std::move(env), attempt, std::move(typed)});
      b.eventMessages.push_back(m.get());
    } catch (const EventRejected& e) {
      reject(e.reason(), e.what(), typeHeader);
    }
  }
  return perLane;
}

void BatchConsumer::dispatch(std::vector<ConsumedBatch>& perLane) {
  bool paused = false;
  for (std::size_t i = 0; i < perLane.size(); ++i) {
    if (perLane[i].lastOffsets.empty()) continue;
    // A full queue normally drains within a batch's time. Waiting here without
    // polling is the backpressure (heartbeats run on librdkafka's thread; only
    // max.poll.interval.ms, 5 min, bounds it) and keeps the prefetched data,
    // which pausing would throw away. The other lanes go on with their queues.
    if (lanes_[i]->submit(perLane[i], milliseconds(5000))) continue;
    while (!lanes_[i]->submit(perLane[i], milliseconds(paused ? 200 : 0))) {
      if (stop_) break;  // not handed over, so not committed: re-read on restart
      // The lane is retrying (a store is down): stop fetching but keep
      // polling, which serves rebalances and keeps the group membership.
      if (!paused) {
        auto handles = ownedHandles();
        consumer_->pause(handles);
        RdKafka::TopicPartition::destroy(handles);
        paused = true;
      }
      std::unique_ptr<RdKafka::Message> m(consumer_->consume(100));
      if (m->err() == RdKafka::ERR_NO_ERROR) inbox_.push_back(std::move(m));
      lastTurnMs_ = nowMillis();
      checkStores();
      metrics_.setReady(ready());
    }
  }
  if (paused) {
    // Retry partitions waiting for a due time stay paused.
    std::vector<RdKafka::TopicPartition*> resume, waiting;
    for (auto* h : ownedHandles())
      (deferredUntilMs_.count({h->topic(), h->partition()}) ? waiting : resume).push_back(h);
    consumer_->resume(resume);
    RdKafka::TopicPartition::destroy(resume);
    RdKafka::TopicPartition::destroy(waiting);
  }
}

void BatchConsumer::deferRetries() {
  // A retry topic is read in order; its head waits for its due time without
  // holding back any other partition: pause just this one and rewind to it.
  for (const auto& [tp, at] : deferring_) {
    std::unique_ptr<RdKafka::TopicPartition> handle(RdKafka::TopicPartition::create(tp.topic, tp.partition, at.first));
    std::vector<RdKafka::TopicPartition*> list{handle.get()};
    consumer_->pause(list);
    if (auto err = consumer_->seek(*handle, 5000); err != RdKafka::ERR_NO_ERROR)
      log_.warn("cannot rewind a retry partition; it is re-read after the next rebalance",
                {{"partition", tp.str()}, {"error", RdKafka::err2str(err)}});
    deferredUntilMs_[tp] = at.second;
  }
  deferring_.clear();
}

void BatchConsumer::resumeDueRetries() {
  auto now = nowMillis();
  for (auto it = deferredUntilMs_.begin(); it != deferredUntilMs_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    std::unique_ptr<RdKafka::TopicPartition> handle(RdKafka::TopicPartition::create(it->first.topic, it->first.partition));
    std::vector<RdKafka::TopicPartition*> list{handle.get()};
    consumer_->resume(list);
    it = deferredUntilMs_.erase(it);
  }
}

void BatchConsumer::commitKafkaOffsets(const std::map<TopicPartition, std::int64_t>& lastOffsets) {
  // Postgres holds the authoritative offsets; Kafka's copy feeds lag monitoring and tools.
  std::vector<RdKafka::TopicPartition*> list;
  {
    std::lock_guard lock(ownedMutex_);
    for (const auto& [tp, last] : lastOffsets)
      if (owned_.count(tp)) list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition, last + 1));
  }
  if (!list.empty()) {
    auto err = consumer_->commitAsync(list);
    if (err != RdKafka::ERR_NO_ERROR) log_.debug("kafka offset commit failed", {{"error", RdKafka::err2str(err)}});
  }
  RdKafka::TopicPartition::destroy(list);
}

std::vector<RdKafka::TopicPartition*> BatchConsumer::ownedHandles() const {
  std::lock_guard lock(ownedMutex_);
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
  for (auto& lane : lanes_) lane->checkStores();
}

bool BatchConsumer::outliveFirstAssignment() {
  // librdkafka before 2.3 aborts when a cooperative-sticky consumer is closed
  // before its first assignment (librdkafka#4312; Debian 12 ships 2.0.2), as
  // happens when SIGTERM comes while the group is still forming. Wait for the
  // assignment (nothing polled now is applied or committed), then close.
  if (RdKafka::version() >= 0x020300ff) return true;
  auto deadline = Clock::now() + settings_.sessionTimeout + std::chrono::seconds(5);
  while (!joined_ && Clock::now() < deadline) std::unique_ptr<RdKafka::Message>(consumer_->consume(100));
  if (joined_) return true;
  // No assignment came (broker unreachable): leave without closing. The
  // process is exiting; the group drops this member at its session timeout.
  log_.warn("exiting before the first partition assignment; the group forgets this member after its session timeout");
  static_cast<void>(consumer_.release());  // deliberately not destroyed: see above
  return false;
}

void BatchConsumer::run() {
  ensureRuntimeTables(pg_.get(), def_.postgresSchema);
  postgresUp_ = true;
  auto topics = routes_.subscriptions();
  for (const auto& t : topics)
    if (routes_.isRetryTopic(t)) retryTopics_.insert(t);
  auto err = consumer_->subscribe(topics);
  if (err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("subscribe failed: " + RdKafka::err2str(err));
  while (!stop_) {
    lastTurnMs_ = nowMillis();
    resumeDueRetries();
    auto tCollect = Clock::now();
    collect();
    auto collectMs = std::chrono::duration<double, std::milli>(Clock::now() - tCollect).count();
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
    auto perLane = decode(std::move(messages));
    deferRetries();
    auto tDispatch = Clock::now();
    auto messageCount = std::accumulate(perLane.begin(), perLane.end(), std::size_t{0},
                                        [](std::size_t n, const auto& b) { return n + b.size(); });
    dispatch(perLane);
    // collect: waiting for librdkafka's queue (a starved fetch shows here);
    // dispatch: waiting for room in a lane's queue (the backpressure).
    if (log_.enabled(LogLevel::debug))
      log_.debug("batch decoded", {{"messages", messageCount},
                                   {"collectMs", collectMs},
                                   {"decodeMs", std::chrono::duration<double, std::milli>(tDispatch - tDecode).count()},
                                   {"dispatchMs", std::chrono::duration<double, std::milli>(Clock::now() - tDispatch).count()}});
    updateLag();
    metrics_.setReady(ready());
  }
  log_.info("shutting down: finishing the batches in hand");
  if (!waitLanesIdle(settings_.shutdownTimeout)) log_.warn("a batch did not finish in SHUTDOWN_TIMEOUT_MS; it is re-read on restart");
  if (!joined_ && !outliveFirstAssignment()) return;
  log_.info("leaving the consumer group");
  consumer_->close();
}

}  // namespace qrfleet
