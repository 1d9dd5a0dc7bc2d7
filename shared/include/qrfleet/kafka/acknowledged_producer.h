#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "qrfleet/envelope.h"
#include "qrfleet/kafka/kafka_settings.h"

namespace qrfleet {

// An idempotent acks=all producer whose every message has its own
// acknowledgement, for a server that answers a request only once Kafka holds
// what the request brought (a webhook answered 2xx after its event is
// acknowledged; anything else and the provider must retry). EventProducer
// flushes everything at once, which suits a batch and not a request.
class AcknowledgedProducer {
 public:
  // What became of one message: nullopt when Kafka acknowledged it, else why not.
  using Outcome = std::optional<std::string>;

  // `deliveryTimeout` bounds how long a message may wait for Kafka
  // (message.timeout.ms): a request waits at most that long before its answer.
  AcknowledgedProducer(const KafkaSettings& settings, const std::string& clientId,
                       std::chrono::milliseconds deliveryTimeout);
  ~AcknowledgedProducer();
  AcknowledgedProducer(const AcknowledgedProducer&) = delete;
  AcknowledgedProducer& operator=(const AcknowledgedProducer&) = delete;

  // Queues an envelope (`encoded` == event.encode(): a server that measured or
  // checked the bytes does not encode them twice) with the standard headers,
  // and calls `done` once with its outcome: on librdkafka's delivery-report
  // thread when Kafka acknowledged it or gave up on it, or at once (here) when
  // the local queue refuses it (the caller sheds load instead of waiting). A
  // callback, not a future: an event-loop server must not block a thread on it.
  using Done = std::function<void(Outcome)>;
  void produce(const std::string& topic, const std::string& key, const Envelope& event, const std::string& encoded,
               Done done);
  // Looks up the topics and connects to their leaders now (the first request
  // is then as fast as the rest). Returns the topics that could not be looked up.
  std::vector<std::string> warm(const std::vector<std::string>& topics, std::chrono::milliseconds timeout);
  // Whether a broker answered a metadata request within `timeout` (readiness).
  bool reachable(std::chrono::milliseconds timeout);
  // Messages queued and not yet acknowledged or failed.
  int inFlight() const { return inFlight_.load(); }
  // Waits until every queued message has its outcome (shutdown).
  void drain(std::chrono::milliseconds timeout);

 private:
  class DeliveryReports : public RdKafka::DeliveryReportCb {
   public:
    explicit DeliveryReports(std::atomic<int>& inFlight) : inFlight_(inFlight) {}
    void dr_cb(RdKafka::Message& message) override;

   private:
    std::atomic<int>& inFlight_;
  };

  std::atomic<int> inFlight_{0};
  DeliveryReports reports_{inFlight_};
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<std::unique_ptr<RdKafka::Topic>> warmTopics_;
  std::atomic<bool> stop_{false};
  std::thread poller_;  // serves delivery reports
};

}  // namespace qrfleet
