#include <librdkafka/rdkafkacpp.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "commands.h"
#include "qrfleet/kafka_admin.h"

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
    auto kafka = ctx.kafka();
    KafkaAdmin admin(kafka);
    auto marks = admin.watermarks(args->topic);
    auto conf = kafka.makeConf();
    setKafkaProperty(*conf, "group.id", "qrfleet-cli-consume");  // required by the API; never committed
    setKafkaProperty(*conf, "enable.auto.commit", "false");
    std::string err;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer) throw std::runtime_error(err);
    std::vector<RdKafka::TopicPartition*> parts;
    std::map<int, std::int64_t> remaining;  // partition -> end offset still to reach
    for (const auto& [p, wm] : marks) {
      auto start = args->fromBeginning ? wm.first : wm.second;
      parts.push_back(RdKafka::TopicPartition::create(args->topic, p, start));
      if (wm.second > start) remaining[p] = wm.second;
    }
    consumer->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    long long seen = 0;
    while ((args->follow || !remaining.empty()) && (args->max == 0 || seen < args->max)) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(1000));
      if (m->err() == RdKafka::ERR__TIMED_OUT) continue;
      if (m->err() != RdKafka::ERR_NO_ERROR) throw std::runtime_error(m->errstr());
      nlohmann::json out = {{"topic", m->topic_name()}, {"partition", m->partition()}, {"offset", m->offset()},
                            {"key", m->key() ? *m->key() : ""}};
      nlohmann::json headers = nlohmann::json::object();
      if (auto* h = m->headers())
        for (const auto& hdr : h->get_all())
          headers[hdr.key()] = std::string(static_cast<const char*>(hdr.value()), hdr.value_size());
      out["headers"] = headers;
      std::string_view value(static_cast<const char*>(m->payload()), m->len());
      auto parsed = nlohmann::json::parse(value, nullptr, false);
      if (parsed.is_discarded()) out["value"] = std::string(value);
      else out["value"] = parsed;
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      ++seen;
      auto it = remaining.find(m->partition());
      if (it != remaining.end() && m->offset() + 1 >= it->second) remaining.erase(it);
    }
    consumer->close();
  });
}

}  // namespace qrfleet::cli
