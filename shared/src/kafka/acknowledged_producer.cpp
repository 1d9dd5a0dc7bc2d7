#include "qrfleet/kafka/acknowledged_producer.h"

#include "qrfleet/kafka/event_producer.h"

namespace qrfleet {

void AcknowledgedProducer::DeliveryReports::dr_cb(RdKafka::Message& message) {
  // The callback was handed to librdkafka as the message's opaque in produce().
  std::unique_ptr<Done> done(static_cast<Done*>(message.msg_opaque()));
  if (!done) return;
  if (message.err() == RdKafka::ERR_NO_ERROR)
    (*done)(std::nullopt);
  else
    (*done)(message.topic_name() + ": " + message.errstr());
  inFlight_.fetch_sub(1);  // after the callback: drain() returns once every outcome was given
}

AcknowledgedProducer::AcknowledgedProducer(const KafkaSettings& settings, const std::string& clientId,
                                           std::chrono::milliseconds deliveryTimeout) {
  // A request waits for its acknowledgement, so the linger is part of every
  // answer's latency; but each produce request costs librdkafka's broker
  // thread and the broker more than the messages in it. Measured on the
  // gateway (2 cores, 64 connections): linger 1 ms gave 2,900 webhooks/s with
  // the broker thread at 29% of the gateway's CPU, 5 ms (the fleet's) gave
  // 3,900/s at 13%. A full local queue refuses at once (503) instead of
  // holding requests. message.timeout.ms is enforced, so KAFKA_PROPERTIES
  // cannot outlast the request: Kafka gives up on a message when the request
  // waiting for it does.
  auto conf = settings.makeProducerConf(clientId, reports_, {{"queue.buffering.max.messages", "100000"}},
                                        {{"message.timeout.ms", std::to_string(deliveryTimeout.count())}});
  std::string err;
  producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer_) throw std::runtime_error("cannot create Kafka producer: " + err);
  poller_ = std::thread([this] {
    while (!stop_.load()) producer_->poll(50);
  });
}

AcknowledgedProducer::~AcknowledgedProducer() {
  drain(std::chrono::milliseconds(5000));
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  // Outcomes still owed (Kafka never answered) are given before the callbacks go.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
}

void AcknowledgedProducer::produce(const std::string& topic, const std::string& key, const Envelope& event,
                                   const std::string& value, Done done) {
  auto callback = std::make_unique<Done>(std::move(done));
  std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
  for (const auto& [name, value] : envelopeHeaders(event)) headers->add(name, value);
  inFlight_.fetch_add(1);
  auto err = producer_->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                const_cast<char*>(value.data()), value.size(), key.empty() ? nullptr : key.data(),
                                key.size(), 0, headers.get(), callback.get());
  if (err != RdKafka::ERR_NO_ERROR) {
    inFlight_.fetch_sub(1);
    (*callback)("produce to " + topic + ": " + RdKafka::err2str(err));
    return;
  }
  headers.release();   // librdkafka owns the headers once produce() succeeds
  callback.release();  // and the callback, until its delivery report (dr_cb)
}

std::vector<std::string> AcknowledgedProducer::warm(const std::vector<std::string>& topics,
                                                    std::chrono::milliseconds timeout) {
  return warmProducerTopics(*producer_, topics, timeout, warmTopics_);
}

bool AcknowledgedProducer::reachable(std::chrono::milliseconds timeout) {
  RdKafka::Metadata* raw = nullptr;
  auto err = producer_->metadata(false, nullptr, &raw, static_cast<int>(timeout.count()));
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  return err == RdKafka::ERR_NO_ERROR && metadata && !metadata->brokers()->empty();
}

void AcknowledgedProducer::drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (inFlight_.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace qrfleet
