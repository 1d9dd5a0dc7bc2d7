#include "qrfleet/kafka/event_producer.h"

#include <thread>

namespace qrfleet {

KafkaHeaders envelopeHeaders(const Envelope& event) {
  KafkaHeaders headers{{std::string(header::eventType), event.eventType},
                       {std::string(header::eventVersion), std::to_string(event.version)},
                       {std::string(header::eventId), event.eventId}};
  if (event.correlationId) headers.emplace_back(std::string(header::correlationId), *event.correlationId);
  return headers;
}

std::vector<std::string> warmProducerTopics(RdKafka::Producer& producer, const std::vector<std::string>& topics,
                                            std::chrono::milliseconds timeout,
                                            std::vector<std::unique_ptr<RdKafka::Topic>>& keep) {
  std::vector<std::string> failed;
  for (const auto& name : topics) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> topic(RdKafka::Topic::create(&producer, name, nullptr, err));
    RdKafka::Metadata* raw = nullptr;
    if (!topic || producer.metadata(false, topic.get(), &raw, static_cast<int>(timeout.count())) != RdKafka::ERR_NO_ERROR) {
      failed.push_back(name);
      continue;
    }
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    keep.push_back(std::move(topic));
  }
  return failed;
}

void EventProducer::DeliveryTracker::dr_cb(RdKafka::Message& message) {
  if (message.err() == RdKafka::ERR_NO_ERROR) return;
  failures.fetch_add(1);
  std::lock_guard lock(mutex);
  lastError = message.topic_name() + ": " + message.errstr();
}

EventProducer::EventProducer(const KafkaSettings& settings, const std::string& clientId) {
  auto conf = settings.makeProducerConf(clientId, tracker_, {{"message.timeout.ms", "30000"}});
  std::string err;
  producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer_) throw std::runtime_error("cannot create Kafka producer: " + err);
}

EventProducer::~EventProducer() {
  if (producer_) producer_->flush(5000);
}

void EventProducer::produce(const std::string& topic, const std::string& key, const std::string& value,
                            const KafkaHeaders& headers, int32_t partition) {
  std::unique_ptr<RdKafka::Headers> hdrs(RdKafka::Headers::create());
  for (const auto& [k, v] : headers) hdrs->add(k, v);
  for (;;) {
    auto err = producer_->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                                  value.size(), key.empty() ? nullptr : key.data(), key.size(), 0, hdrs.get(),
                                  nullptr);
    if (err == RdKafka::ERR_NO_ERROR) {
      hdrs.release();  // librdkafka owns the headers once produce() succeeds
      return;
    }
    if (err != RdKafka::ERR__QUEUE_FULL) throw DeliveryFailed("produce to " + topic + ": " + RdKafka::err2str(err));
    producer_->poll(50);  // local queue full: serve delivery reports and try again
  }
}

void EventProducer::produceEvent(const std::string& topic, const std::string& key, const Envelope& event) {
  produce(topic, key, event.encode(), envelopeHeaders(event));
}

std::vector<std::string> EventProducer::warm(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) {
  return warmProducerTopics(*producer_, topics, timeout, warmTopics_);
}

void EventProducer::flush(std::chrono::milliseconds timeout) {
  auto err = producer_->flush(static_cast<int>(timeout.count()));
  long failed = tracker_.failures.exchange(0);
  if (failed > 0) {
    std::lock_guard lock(tracker_.mutex);
    throw DeliveryFailed(std::to_string(failed) + " message(s) not acknowledged by Kafka, last: " + tracker_.lastError);
  }
  if (err != RdKafka::ERR_NO_ERROR)
    throw DeliveryFailed("Kafka did not acknowledge all messages within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace qrfleet
