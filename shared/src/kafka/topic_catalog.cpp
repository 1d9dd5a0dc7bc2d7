#include "qrfleet/kafka/topic_catalog.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "qrfleet/embedded_file.h"

namespace qrfleet {

std::span<const EmbeddedFile> embeddedTopics();

std::int64_t parseRetention(const std::string& text) {
  if (text == "-1" || text == "forever") return -1;
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("retention '" + text + "' is not like 7d, 12h or 30m");
  }
  auto unit = text.substr(used);
  if (unit == "d") return n * 86400000LL;
  if (unit == "h") return n * 3600000LL;
  if (unit == "m") return n * 60000LL;
  if (unit == "ms") return n;
  throw std::invalid_argument("retention '" + text + "' is not like 7d, 12h or 30m");
}

TopicCatalog TopicCatalog::fromYaml(const std::string& text) {
  TopicCatalog c;
  YAML::Node root = YAML::Load(text);
  for (const auto& t : root["topics"]) {
    TopicSpec s;
    s.name = t["name"].as<std::string>();
    s.partitions = t["partitions"].as<int>();
    s.retentionMs = parseRetention(t["retention"].as<std::string>());
    s.cleanupPolicy = t["cleanup"] ? t["cleanup"].as<std::string>() : "delete";
    s.key = t["key"] ? t["key"].as<std::string>() : "";
    if (t["eventTypes"])
      for (const auto& e : t["eventTypes"]) s.eventTypes.push_back(e.as<std::string>());
    s.consumerGroup = t["consumerGroup"] ? t["consumerGroup"].as<std::string>() : "";
    if (s.partitions < 1) throw std::invalid_argument("topic " + s.name + ": partitions must be >= 1");
    c.topics_.push_back(std::move(s));
  }
  if (c.topics_.empty()) throw std::invalid_argument("topics.yaml declares no topics");
  return c;
}

TopicCatalog TopicCatalog::embedded() {
  auto files = embeddedTopics();
  if (files.empty()) throw std::runtime_error("topics.yaml is not compiled in");
  return fromYaml(std::string(files.front().content));
}

const TopicSpec* TopicCatalog::find(const std::string& name) const {
  for (const auto& t : topics_)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace qrfleet
