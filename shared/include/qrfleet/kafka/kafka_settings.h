#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/config.h"

namespace qrfleet {

// Broker address and security, shared by consumers, producers and the CLI.
struct KafkaSettings {
  std::string brokers;
  std::string securityProtocol = "plaintext";
  std::string saslMechanism;
  std::string saslUsername;
  std::string saslPassword;
  std::string sslCaLocation;
  // Extra librdkafka properties (KAFKA_PROPERTIES="k=v,k=v") for what is not
  // worth a variable of its own.
  std::map<std::string, std::string> extra;

  static std::vector<ConfigOption> options();
  static KafkaSettings fromConfig(EnvConfig& config);

  // The librdkafka properties these settings stand for.
  std::map<std::string, std::string> properties() const;

  // A Conf with the connection and security properties applied; throws
  // std::runtime_error naming the property librdkafka refused.
  std::unique_ptr<RdKafka::Conf> makeConf() const;

  // A producer's Conf, one recipe for every producer in the fleet:
  // idempotent, acks=all, lz4, linger 5 ms, then `defaults`, then these
  // settings (KAFKA_PROPERTIES overrides all of that), then `enforced`, which
  // nothing overrides. `reports` gets every delivery report.
  using Properties = std::vector<std::pair<std::string, std::string>>;
  std::unique_ptr<RdKafka::Conf> makeProducerConf(const std::string& clientId, RdKafka::DeliveryReportCb& reports,
                                                  const Properties& defaults, const Properties& enforced = {}) const;
};

void setKafkaProperty(RdKafka::Conf& conf, const std::string& name, const std::string& value);

}  // namespace qrfleet
