#include "qrfleet/kafka/kafka_admin.h"

#include <stdexcept>

namespace qrfleet {

namespace {
constexpr int kTimeoutMs = 15000;

struct QueueCloser {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventCloser {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
struct ListCloser {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueCloser>;
using Event = std::unique_ptr<rd_kafka_event_t, EventCloser>;

rd_kafka_t* makeHandle(const KafkaSettings& settings, rd_kafka_type_t type,
                       const std::map<std::string, std::string>& more = {}) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto props = settings.properties();
  for (const auto& [k, v] : more) props[k] = v;
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error("librdkafka property " + k + ": " + err);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);  // takes conf on success
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create Kafka client: ") + err);
  }
  return rk;
}

Event await(rd_kafka_queue_t* q, const char* what) {
  Event ev(rd_kafka_queue_poll(q, kTimeoutMs + 5000));
  if (!ev) throw std::runtime_error(std::string(what) + ": no answer from Kafka");
  if (rd_kafka_event_error(ev.get()))
    throw std::runtime_error(std::string(what) + ": " + rd_kafka_event_error_string(ev.get()));
  return ev;
}

struct AdminOptionsCloser {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsCloser> options(rd_kafka_t* rk) {
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsCloser> o(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY));
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(o.get(), kTimeoutMs, err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(o.get(), kTimeoutMs, err, sizeof err);
  return o;
}
}  // namespace

KafkaAdmin::KafkaAdmin(const KafkaSettings& settings)
    : settings_(settings), rk_(makeHandle(settings, RD_KAFKA_PRODUCER)) {}

std::map<std::string, TopicState> KafkaAdmin::listTopics(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk_.get(), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err) throw std::runtime_error(std::string("cannot read cluster metadata: ") + rd_kafka_err2str(err));
  std::map<std::string, TopicState> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err) continue;
    TopicState s{t.topic, t.partition_cnt, t.partition_cnt > 0 ? t.partitions[0].replica_cnt : 0};
    out[s.name] = s;
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

std::vector<std::string> KafkaAdmin::apply(const TopicCatalog& catalog, int replicationFactor) {
  std::vector<std::string> changes;
  auto existing = listTopics();
  Queue q(rd_kafka_queue_new(rk_.get()));
  char err[512];

  std::vector<rd_kafka_NewTopic_t*> create;
  std::vector<rd_kafka_NewPartitions_t*> grow;
  for (const auto& t : catalog.topics()) {
    auto it = existing.find(t.name);
    if (it == existing.end()) {
      auto* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, replicationFactor, err, sizeof err);
      if (!nt) throw std::runtime_error("topic " + t.name + ": " + err);
      rd_kafka_NewTopic_set_config(nt, "retention.ms", std::to_string(t.retentionMs).c_str());
      rd_kafka_NewTopic_set_config(nt, "cleanup.policy", t.cleanupPolicy.c_str());
      // Durability: acks=all producers need two in-sync copies; never elect an out-of-sync leader.
      if (replicationFactor >= 3) rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", "2");
      rd_kafka_NewTopic_set_config(nt, "unclean.leader.election.enable", "false");
      create.push_back(nt);
      changes.push_back("created " + t.name + " (" + std::to_string(t.partitions) + " partitions, rf " +
                        std::to_string(replicationFactor) + ")");
    } else if (it->second.partitions < t.partitions) {
      auto* np = rd_kafka_NewPartitions_new(t.name.c_str(), static_cast<size_t>(t.partitions), err, sizeof err);
      if (!np) throw std::runtime_error("topic " + t.name + ": " + err);
      grow.push_back(np);
      changes.push_back("grew " + t.name + " from " + std::to_string(it->second.partitions) + " to " +
                        std::to_string(t.partitions) + " partitions");
    } else if (it->second.partitions > t.partitions) {
      changes.push_back("kept " + t.name + " at " + std::to_string(it->second.partitions) +
                        " partitions (Kafka cannot shrink a topic; topics.yaml says " + std::to_string(t.partitions) + ")");
    }
  }
  auto check = [&](const rd_kafka_topic_result_t** results, size_t n, const char* what) {
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(results[i]);
      if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        throw std::runtime_error(std::string(what) + " " + rd_kafka_topic_result_name(results[i]) + ": " +
                                 rd_kafka_err2str(e));
    }
  };
  if (!create.empty()) {
    rd_kafka_CreateTopics(rk_.get(), create.data(), create.size(), options(rk_.get()).get(), q.get());
    rd_kafka_NewTopic_destroy_array(create.data(), create.size());
    auto ev = await(q.get(), "create topics");
    size_t n = 0;
    auto* res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
    check(res, n, "create topic");
  }
  if (!grow.empty()) {
    rd_kafka_CreatePartitions(rk_.get(), grow.data(), grow.size(), options(rk_.get()).get(), q.get());
    rd_kafka_NewPartitions_destroy_array(grow.data(), grow.size());
    auto ev = await(q.get(), "create partitions");
    size_t n = 0;
    auto* res = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.get()), &n);
    check(res, n, "grow topic");
  }
  // Retention and cleanup policy of topics that already existed.
  std::vector<rd_kafka_ConfigResource_t*> configs;
  for (const auto& t : catalog.topics()) {
    if (!existing.count(t.name)) continue;
    auto* cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.name.c_str());
    rd_kafka_ConfigResource_set_config(cr, "retention.ms", std::to_string(t.retentionMs).c_str());
    rd_kafka_ConfigResource_set_config(cr, "cleanup.policy", t.cleanupPolicy.c_str());
    if (replicationFactor >= 3) rd_kafka_ConfigResource_set_config(cr, "min.insync.replicas", "2");
    rd_kafka_ConfigResource_set_config(cr, "unclean.leader.election.enable", "false");
    configs.push_back(cr);
  }
  if (!configs.empty()) {
    rd_kafka_AlterConfigs(rk_.get(), configs.data(), configs.size(), options(rk_.get()).get(), q.get());
    rd_kafka_ConfigResource_destroy_array(configs.data(), configs.size());
    auto ev = await(q.get(), "alter topic configs");
    size_t n = 0;
    auto* res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i)
      if (rd_kafka_ConfigResource_error(res[i]))
        throw std::runtime_error(std::string("configure topic ") + rd_kafka_ConfigResource_name(res[i]) + ": " +
                                 rd_kafka_ConfigResource_error_string(res[i]));
  }
  return changes;
}

std::vector<std::string> KafkaAdmin::listGroups() {
  const rd_kafka_group_list* list = nullptr;
  auto err = rd_kafka_list_groups(rk_.get(), nullptr, &list, kTimeoutMs);
  if (err) throw std::runtime_error(std::string("cannot list groups: ") + rd_kafka_err2str(err));
  std::vector<std::string> out;
  for (int i = 0; i < list->group_cnt; ++i) out.emplace_back(list->groups[i].group);
  rd_kafka_group_list_destroy(list);
  return out;
}

std::map<int, std::pair<std::int64_t, std::int64_t>> KafkaAdmin::watermarks(const std::string& topic) {
  auto topics = listTopics();
  auto it = topics.find(topic);
  if (it == topics.end()) throw std::runtime_error("topic " + topic + " does not exist");
  std::map<int, std::pair<std::int64_t, std::int64_t>> out;
  for (int p = 0; p < it->second.partitions; ++p) {
    int64_t lo = 0, hi = 0;
    auto err = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), p, &lo, &hi, kTimeoutMs);
    if (err) throw std::runtime_error("watermarks of " + topic + ": " + rd_kafka_err2str(err));
    out[p] = {lo, hi};
  }
  return out;
}

std::vector<PartitionLag> KafkaAdmin::groupLag(const std::string& group, const std::string& topic) {
  auto marks = watermarks(topic);
  std::unique_ptr<rd_kafka_t, HandleCloser> consumer(makeHandle(settings_, RD_KAFKA_CONSUMER, {{"group.id", group}}));
  std::unique_ptr<rd_kafka_topic_partition_list_t, ListCloser> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(marks.size())));
  for (const auto& [p, wm] : marks) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  auto err = rd_kafka_committed(consumer.get(), list.get(), kTimeoutMs);
  if (err) throw std::runtime_error("committed offsets of " + group + ": " + rd_kafka_err2str(err));
  std::vector<PartitionLag> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out.push_back({{topic, e.partition}, e.offset >= 0 ? e.offset : -1, marks[e.partition].second});
  }
  return out;
}

std::map<int, std::int64_t> KafkaAdmin::offsetsForTime(const std::string& topic, std::int64_t ms) {
  auto marks = watermarks(topic);
  std::unique_ptr<rd_kafka_t, HandleCloser> consumer(makeHandle(settings_, RD_KAFKA_CONSUMER, {{"group.id", "qrfleet-admin"}}));
  std::unique_ptr<rd_kafka_topic_partition_list_t, ListCloser> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(marks.size())));
  for (const auto& [p, wm] : marks) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = ms;
  auto err = rd_kafka_offsets_for_times(consumer.get(), list.get(), kTimeoutMs);
  if (err) throw std::runtime_error("offsets for time on " + topic + ": " + rd_kafka_err2str(err));
  std::map<int, std::int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out[e.partition] = e.offset >= 0 ? e.offset : marks[e.partition].second;
  }
  return out;
}

void KafkaAdmin::deleteGroup(const std::string& group) {
  Queue q(rd_kafka_queue_new(rk_.get()));
  rd_kafka_DeleteGroup_t* dg = rd_kafka_DeleteGroup_new(group.c_str());
  rd_kafka_DeleteGroups(rk_.get(), &dg, 1, options(rk_.get()).get(), q.get());
  rd_kafka_DeleteGroup_destroy(dg);
  auto ev = await(q.get(), "delete group");
  size_t n = 0;
  auto* res = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i]);
    if (e && rd_kafka_error_code(e) != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
      throw std::runtime_error("delete group " + group + ": " + rd_kafka_error_string(e));
  }
}

}  // namespace qrfleet
