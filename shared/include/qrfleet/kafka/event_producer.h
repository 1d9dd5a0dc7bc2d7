#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/envelope.h"
#include "qrfleet/kafka/kafka_settings.h"

namespace qrfleet {

using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

// The headers every event carries (event-type, event-version, event-id,
// correlation-id), so routing needs no payload parse.
KafkaHeaders envelopeHeaders(const Envelope& event);

// Looks up each topic's metadata through `producer`, keeping the handles in
// `keep` so the metadata stays cached; returns the topics it could not look up.
std::vector<std::string> warmProducerTopics(RdKafka::Producer& producer, const std::vector<std::string>& topics,
                                            std::chrono::milliseconds timeout,
                                            std::vector<std::unique_ptr<RdKafka::Topic>>& keep);

// Raised when Kafka did not acknowledge every message: the caller must not
// commit state that depends on them.
class DeliveryFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Idempotent producer with acks=all. Messages are queued by produce(); flush()
// waits until Kafka acknowledged all of them and throws DeliveryFailed if any
// was not, which is what lets the runtime produce before it commits.
class EventProducer {
 public:
  explicit EventProducer(const KafkaSettings& settings, const std::string& clientId);
  ~EventProducer();
  EventProducer(const EventProducer&) = delete;
  EventProducer& operator=(const EventProducer&) = delete;

  void produce(const std::string& topic, const std::string& key, const std::string& value, const KafkaHeaders& headers,
               int32_t partition = RdKafka::Topic::PARTITION_UA);
  // An envelope with the standard headers (event-type, event-version, correlation-id, event-id).
  void produceEvent(const std::string& topic, const std::string& key, const Envelope& event);
  void flush(std::chrono::milliseconds timeout);
  // Looks up the topics' metadata and connects to their leaders now, so the
  // first event produced to each is as fast as the rest (otherwise it waits
  // for a metadata round). Returns the topics that could not be looked up.
  std::vector<std::string> warm(const std::vector<std::string>& topics, std::chrono::milliseconds timeout);

  RdKafka::Producer& handle() { return *producer_; }

 private:
  class DeliveryTracker : public RdKafka::DeliveryReportCb {
   public:
    void dr_cb(RdKafka::Message& message) override;
    std::atomic<long> failures{0};
    std::mutex mutex;
    std::string lastError;
  };

  DeliveryTracker tracker_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<std::unique_ptr<RdKafka::Topic>> warmTopics_;  // keep their metadata cached
};

}  // namespace qrfleet
