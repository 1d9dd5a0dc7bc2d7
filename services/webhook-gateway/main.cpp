// qrfleet-webhook-gateway: payment providers' webhooks (POST /webhooks/<provider>)
// -> verified, normalized payment.* events on payment-events, answered 2xx only
// once Kafka acknowledged them. Not a consumer: its own main, not runService.
#include <iostream>
#include <thread>
#include <type_traits>

#include "gateway_settings.h"
#include "qrfleet/json_logger.h"
#include "qrfleet/kafka/acknowledged_producer.h"
#include "qrfleet/kafka/kafka_settings.h"
#include "qrfleet/runtime/shutdown_signal.h"
#include "qrfleet/runtime_metrics.h"
#include "qrfleet/version.h"
#include "webhook_server.h"

namespace {

using namespace qrfleet;
using namespace qrfleet::webhook;

static_assert(std::is_same_v<Acknowledgement, AcknowledgedProducer::Outcome>);

constexpr const char* kName = "webhook-gateway";

std::vector<ConfigOption> allOptions() {
  auto options = GatewaySettings::options();
  for (auto& o : KafkaSettings::options()) options.push_back(std::move(o));
  return options;
}

void usage() {
  std::cout << "qrfleet-" << kName << " " << kVersion
            << " - payment providers' webhooks -> verified payment.* events on Kafka\n\n"
            << "Usage: qrfleet-" << kName << " [--help] [--version]\n"
            << "  (no option)  serve POST /webhooks/<provider>, GET /healthz, /readyz, /metrics until SIGTERM\n\n"
            << EnvConfig::helpText(allOptions());
}

}  // namespace

int main(int argc, char** argv) {
  // First: every thread started later inherits the blocked signal mask.
  ShutdownSignal shutdown;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    }
    if (a == "--version") {
      std::cout << "qrfleet-" << kName << " " << kVersion << "\n";
      return 0;
    }
    std::cerr << "qrfleet-" << kName << ": unknown argument '" << a << "' (see --help)\n";
    return 2;
  }

  EnvConfig config(allOptions());
  GatewaySettings settings;
  KafkaSettings kafka;
  try {
    settings = GatewaySettings::fromConfig(config);
    kafka = KafkaSettings::fromConfig(config);
    config.finish();
  } catch (const ConfigError& e) {
    std::cerr << "qrfleet-" << kName << ": " << e.what() << "\n";
    return 2;
  }

  JsonLogger log(kName, parseLogLevel(settings.logLevel), std::cout);
  RuntimeMetrics metrics(kName, std::string(kVersion));
  try {
    std::vector<std::unique_ptr<WebhookAdapter>> adapters;
    std::vector<std::string> providers;
    for (const auto& p : settings.providers) {
      adapters.push_back(makeWebhookAdapter(p));
      providers.push_back(p.name + " (" + p.scheme + ", " + std::to_string(p.secrets.size()) + " secret(s))");
    }
    // A message Kafka has not acknowledged by the time the request gives up is
    // given up by Kafka too: the provider's retry is then the only copy.
    AcknowledgedProducer producer(kafka, "qrfleet-" + std::string(kName) + "-" + settings.instanceId, settings.ackTimeout);
    if (auto missing = producer.warm({settings.topic}, std::chrono::seconds(5)); !missing.empty())
      log.warn("topic not reachable yet; serving anyway (webhooks get 503 until it is)", {{"topic", settings.topic}});
    const std::string topic = settings.topic;
    PaymentEventSink sink{
        [&producer, topic](const std::string& key, const Envelope& event, const std::string& wire,
                           std::function<void(Acknowledgement)> done) {
          producer.produce(topic, key, event, wire, std::move(done));
        },
        [&producer] { return producer.reachable(std::chrono::seconds(1)); }};
    WebhookServer server(settings, std::move(adapters), std::move(sink), metrics, log);
    auto port = server.start();
    log.info("started", {{"version", kVersion}, {"instance", settings.instanceId}, {"bind", settings.bind}, {"port", port}, {"topic", topic},
                         {"providers", providers}, {"threads", settings.threads}});

    while (!shutdown.requested() && server.serving()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!server.serving()) {
      log.error("the server stopped by itself");
      return 1;
    }
    log.info("SIGTERM: readiness 503, then the port closes", {{"delayMs", settings.shutdownDelay.count()}});
    server.beginShutdown();
    std::this_thread::sleep_for(settings.shutdownDelay);
    // Answers every request in flight (each waits at most WEBHOOK_ACK_TIMEOUT_MS for Kafka).
    server.stop();
    producer.drain(settings.ackTimeout);
    log.info("stopped cleanly", {{"unacknowledged", producer.inFlight()}});
    return 0;
  } catch (const std::exception& e) {
    log.error("fatal", {{"error", e.what()}});
    std::cerr << "qrfleet-" << kName << ": " << e.what() << "\n";
    return 1;
  }
}
