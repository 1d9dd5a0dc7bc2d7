#include "qrfleet/kafka/kafka_settings.h"

#include <sstream>
#include <stdexcept>

namespace qrfleet {

std::vector<ConfigOption> KafkaSettings::options() {
  return {
      {"KAFKA_BROKERS", "Kafka bootstrap servers, host:port[,host:port]", std::nullopt},
      {"KAFKA_SECURITY_PROTOCOL", "plaintext, ssl, sasl_plaintext or sasl_ssl", "plaintext"},
      {"KAFKA_SASL_MECHANISM", "SASL mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", ""},
      {"KAFKA_SASL_USERNAME", "SASL user name", ""},
      {"KAFKA_SASL_PASSWORD", "SASL password", "", true},
      {"KAFKA_SSL_CA_LOCATION", "CA certificate file for TLS", ""},
      {"KAFKA_PROPERTIES", "extra librdkafka properties, k=v[,k=v]", ""},
  };
}

KafkaSettings KafkaSettings::fromConfig(EnvConfig& c) {
  KafkaSettings s;
  s.brokers = c.string("KAFKA_BROKERS");
  s.securityProtocol = c.oneOf("KAFKA_SECURITY_PROTOCOL", {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"});
  s.saslMechanism = c.string("KAFKA_SASL_MECHANISM");
  s.saslUsername = c.string("KAFKA_SASL_USERNAME");
  s.saslPassword = c.string("KAFKA_SASL_PASSWORD");
  s.sslCaLocation = c.string("KAFKA_SSL_CA_LOCATION");
  std::istringstream extra(c.string("KAFKA_PROPERTIES"));
  for (std::string kv; std::getline(extra, kv, ',');) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      c.oneOf("KAFKA_PROPERTIES", {"k=v pairs separated by commas"});
      break;
    }
    s.extra[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return s;
}

void setKafkaProperty(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string err;
  if (conf.set(name, value, err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("librdkafka property " + name + ": " + err);
}

std::map<std::string, std::string> KafkaSettings::properties() const {
  std::map<std::string, std::string> p{{"bootstrap.servers", brokers}, {"security.protocol", securityProtocol}};
  if (!saslMechanism.empty()) p["sasl.mechanisms"] = saslMechanism;
  if (!saslUsername.empty()) p["sasl.username"] = saslUsername;
  if (!saslPassword.empty()) p["sasl.password"] = saslPassword;
  if (!sslCaLocation.empty()) p["ssl.ca.location"] = sslCaLocation;
  for (const auto& [k, v] : extra) p[k] = v;
  return p;
}

std::unique_ptr<RdKafka::Conf> KafkaSettings::makeConf() const {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [k, v] : properties()) setKafkaProperty(*conf, k, v);
  return conf;
}

std::unique_ptr<RdKafka::Conf> KafkaSettings::makeProducerConf(const std::string& clientId,
                                                               RdKafka::DeliveryReportCb& reports,
                                                               const Properties& defaults,
                                                               const Properties& enforced) const {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  setKafkaProperty(*conf, "client.id", clientId);
  setKafkaProperty(*conf, "enable.idempotence", "true");
  setKafkaProperty(*conf, "acks", "all");
  setKafkaProperty(*conf, "linger.ms", "5");
  setKafkaProperty(*conf, "compression.type", "lz4");
  for (const auto& [k, v] : defaults) setKafkaProperty(*conf, k, v);
  for (const auto& [k, v] : properties()) setKafkaProperty(*conf, k, v);
  for (const auto& [k, v] : enforced) setKafkaProperty(*conf, k, v);
  std::string err;
  if (conf->set("dr_cb", &reports, err) != RdKafka::Conf::CONF_OK) throw std::runtime_error(err);
  return conf;
}

}  // namespace qrfleet
