// qrfleet-test-produce-steps <topic> <count>: produces probe.step events
// n = 0 .. count-1 (key "k<n>") to KAFKA_BROKERS, for `scripts/bench outside`.
// (`qrfleet produce` sends only event types of the platform's schema catalog.)
#include <cstdlib>
#include <iostream>

#include "qrfleet/config.h"
#include "qrfleet/event_id.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/kafka/kafka_settings.h"
#include "qrfleet/time_format.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: qrfleet-test-produce-steps <topic> <count>\n";
    return 2;
  }
  qrfleet::EnvConfig config(qrfleet::KafkaSettings::options());
  auto kafka = qrfleet::KafkaSettings::fromConfig(config);
  config.finish();
  qrfleet::EventProducer producer(kafka, "qrfleet-test-produce-steps");
  int count = std::atoi(argv[2]);
  for (int n = 0; n < count; ++n) {
    qrfleet::Envelope e;
    e.eventId = qrfleet::randomUuid();
    e.eventType = "probe.step";
    e.timestampMs = qrfleet::nowMillis();
    e.source = "bench";
    e.payload = {{"n", n}};
    producer.produceEvent(argv[1], "k" + std::to_string(n), e);
  }
  producer.flush(std::chrono::seconds(60));
  return 0;
}
