#include <iostream>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/kafka_admin.h"
#include "qrfleet/kafka/topic_catalog.h"

namespace qrfleet::cli {

namespace {
struct GroupsArgs {
  std::string group;
  std::vector<std::string> topics;
};
}  // namespace

void addGroupsCommand(CLI::App& app) {
  auto args = std::make_shared<GroupsArgs>();
  auto* groups = app.add_subcommand("groups", "consumer groups and their lag");
  groups->require_subcommand(1);
  groups->add_subcommand("list", "consumer groups known to the cluster")->callback([] {
    CliContext ctx;
    KafkaAdmin admin(ctx.kafka());
    for (const auto& g : admin.listGroups()) std::cout << g << "\n";
  });
  auto* describe = groups->add_subcommand("describe", "committed offsets and lag of a group, per partition");
  describe->add_option("group", args->group, "consumer group")->required();
  describe->add_option("--topic", args->topics, "topics (default: the group's topics in topics.yaml)");
  describe->callback([args] {
    auto topics = args->topics;
    const auto catalog = TopicCatalog::embedded();
    if (topics.empty())
      for (const auto& t : catalog.topics())
        if (t.consumerGroup == args->group) topics.push_back(t.name);
    if (topics.empty()) throw std::runtime_error("no topics for group " + args->group + "; pass --topic");
    CliContext ctx;
    KafkaAdmin admin(ctx.kafka());
    long long total = 0;
    std::cout << "TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG\n";
    for (const auto& topic : topics) {
      for (const auto& p : admin.groupLag(args->group, topic)) {
        std::cout << topic << "\t" << p.partition.partition << "\t"
                  << (p.committed < 0 ? std::string("-") : std::to_string(p.committed)) << "\t" << p.high << "\t"
                  << p.lag() << "\n";
        total += p.lag();
      }
    }
    std::cout << "total lag: " << total << "\n";
  });
}

}  // namespace qrfleet::cli
