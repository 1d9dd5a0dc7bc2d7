#include <fstream>
#include <iostream>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/tools/schema_catalog.h"
#include "qrfleet/kafka/topic_catalog.h"

namespace qrfleet::cli {

namespace {
struct ProduceArgs {
  std::string topic;
  std::string file = "-";
  std::string keyField;
};
}  // namespace

void addProduceCommand(CLI::App& app) {
  auto args = std::make_shared<ProduceArgs>();
  auto* cmd = app.add_subcommand("produce", "send envelopes (JSON lines) to a topic, validated against their schemas");
  cmd->add_option("topic", args->topic, "topic to produce to")->required();
  cmd->add_option("--file", args->file, "JSON lines file, - for stdin");
  cmd->add_option("--key-field", args->keyField, "payload field used as Kafka key (default: topics.yaml's key)");
  cmd->callback([args] {
    auto catalog = TopicCatalog::embedded();
    const auto* spec = catalog.find(args->topic);
    std::string keyField = args->keyField.empty() && spec ? spec->key : args->keyField;
    if (keyField.empty()) throw std::runtime_error("topic " + args->topic + " is not in topics.yaml; pass --key-field");

    std::ifstream file;
    if (args->file != "-") {
      file.open(args->file);
      if (!file) throw std::runtime_error("cannot read " + args->file);
    }
    std::istream& in = args->file == "-" ? std::cin : file;

    // Validate every line before sending any, so a bad file sends nothing.
    SchemaCatalog schemas;
    std::vector<std::pair<std::string, Envelope>> events;
    std::string line;
    int lineNo = 0, bad = 0;
    while (std::getline(in, line)) {
      ++lineNo;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      std::vector<std::string> errors;
      if (j.is_discarded()) errors.push_back("not valid JSON");
      else errors = schemas.validate(j);
      std::string key;
      if (errors.empty()) {
        const auto& p = j["payload"];
        if (p.contains(keyField) && p[keyField].is_string()) key = p[keyField].get<std::string>();
        else if (j.contains(keyField) && j[keyField].is_string()) key = j[keyField].get<std::string>();
        else errors.push_back("no string field '" + keyField + "' for the Kafka key");
      }
      if (!errors.empty()) {
        ++bad;
        for (const auto& e : errors) std::cerr << "line " << lineNo << ": " << e << "\n";
        continue;
      }
      events.emplace_back(key, Envelope::fromJson(j));
    }
    if (bad > 0) throw std::runtime_error(std::to_string(bad) + " invalid line(s); nothing sent");
    CliContext ctx;
    EventProducer producer(ctx.kafka(), "qrfleet-cli");
    for (const auto& [key, e] : events) producer.produceEvent(args->topic, key, e);
    producer.flush(std::chrono::seconds(60));
    std::cout << "produced " << events.size() << " event(s) to " << args->topic << "\n";
  });
}

}  // namespace qrfleet::cli
