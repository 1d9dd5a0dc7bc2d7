#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/kafka_admin.h"
#include "qrfleet/kafka/topic_catalog.h"

namespace qrfleet::cli {

namespace {
struct TopicsArgs {
  std::string file;
  int replicationFactor = 0;
  std::string name;
};

TopicCatalog loadCatalog(const std::string& file) {
  if (file.empty()) return TopicCatalog::embedded();
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::stringstream s;
  s << in.rdbuf();
  return TopicCatalog::fromYaml(s.str());
}

std::string days(std::int64_t ms) {
  if (ms < 0) return "forever";
  if (ms % 86400000 == 0) return std::to_string(ms / 86400000) + "d";
  return std::to_string(ms / 3600000) + "h";
}
}  // namespace

void addTopicsCommand(CLI::App& app) {
  auto args = std::make_shared<TopicsArgs>();
  auto* topics = app.add_subcommand("topics", "make the cluster's topics match schemas/topics.yaml, or show them");
  topics->require_subcommand(1);

  auto* apply = topics->add_subcommand("apply", "create missing topics, grow partitions, set retention (idempotent)");
  apply->add_option("--file", args->file, "topics.yaml to apply (default: the one built in)");
  apply->add_option("--replication-factor", args->replicationFactor,
                    "replicas per partition (default: QRFLEET_REPLICATION_FACTOR or 1)");
  apply->callback([args] {
    int rf = args->replicationFactor;
    if (rf == 0) {
      const char* env = std::getenv("QRFLEET_REPLICATION_FACTOR");
      rf = env ? std::atoi(env) : 1;
      if (rf < 1) throw ConfigError("QRFLEET_REPLICATION_FACTOR: must be an integer >= 1");
    }
    CliContext ctx;
    KafkaAdmin admin(ctx.kafka());
    auto changes = admin.apply(loadCatalog(args->file), rf);
    for (const auto& c : changes) std::cout << c << "\n";
    std::cout << (changes.empty() ? "topics up to date\n" : "topics applied\n");
  });

  auto* list = topics->add_subcommand("list", "topics on the cluster, with partitions and replication");
  list->callback([] {
    CliContext ctx;
    KafkaAdmin admin(ctx.kafka());
    for (const auto& [name, t] : admin.listTopics())
      std::cout << name << "\tpartitions=" << t.partitions << "\treplicas=" << t.replicationFactor << "\n";
  });

  auto* describe = topics->add_subcommand("describe", "declared vs actual state of each topic, with offsets");
  describe->add_option("name", args->name, "one topic (default: all declared)");
  describe->callback([args] {
    CliContext ctx;
    KafkaAdmin admin(ctx.kafka());
    auto actual = admin.listTopics();
    const auto catalog = TopicCatalog::embedded();
    for (const auto& t : catalog.topics()) {
      if (!args->name.empty() && t.name != args->name) continue;
      auto it = actual.find(t.name);
      std::cout << t.name << "\n  declared: partitions=" << t.partitions << " retention=" << days(t.retentionMs)
                << " cleanup=" << t.cleanupPolicy << " key=" << t.key << " group=" << t.consumerGroup << "\n";
      if (it == actual.end()) {
        std::cout << "  actual:   missing (run `qrfleet topics apply`)\n";
        continue;
      }
      long long messages = 0;
      for (const auto& [p, wm] : admin.watermarks(t.name)) messages += wm.second - wm.first;
      std::cout << "  actual:   partitions=" << it->second.partitions << " replicas=" << it->second.replicationFactor
                << " messages=" << messages << "\n";
    }
  });
}

}  // namespace qrfleet::cli
