#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::cli {

namespace {
struct ConsumeArgs {
  std::string topic;
  bool fromBeginning = false;
  long long max = 0;
  bool follow = false;
};
}  // namespace

void addConsumeCommand(CLI::App& app) {
  auto args = std::make_shared<ConsumeArgs>();
  auto* cmd = app.add_subcommand("consume", "print a topic's messages as JSON lines (no consumer group)");
  cmd->add_option("topic", args->topic, "topic to read")->required();
  cmd->add_flag("--from-beginning", args->fromBeginning, "start at the oldest message (default: the end)");
  cmd->add_option("--max", args->max, "stop after this many messages");
  cmd->add_flag("--follow", args->follow, "keep waiting for new messages (default: stop at the end)");
  cmd->callback([args] {
    CliContext ctx;
    TopicReader reader(ctx.kafka(), args->topic, args->fromBeginning, args->follow);
    long long seen = 0;
    while (!reader.atEnd() && (args->max == 0 || seen < args->max)) {
      auto m = reader.next(std::chrono::seconds(1));
      if (!m) continue;
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [k, v] : m->headers) headers[k] = v;
      nlohmann::json out = {{"topic", m->topic}, {"partition", m->partition}, {"offset", m->offset},
                            {"key", m->key}, {"headers", headers}};
      auto parsed = nlohmann::json::parse(m->value, nullptr, false);
      out["value"] = parsed.is_discarded() ? nlohmann::json(m->value) : parsed;
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      ++seen;
    }
  });
}

}  // namespace qrfleet::cli
