#include "qrfleet/kafka/topic_reader.h"

#include "qrfleet/kafka/kafka_admin.h"

namespace qrfleet {

KafkaHeaders headersOf(const RdKafka::Message& m) {
  KafkaHeaders out;
  if (const RdKafka::Headers* h = const_cast<RdKafka::Message&>(m).headers())
    for (const auto& hdr : h->get_all())
      out.emplace_back(hdr.key(), std::string(static_cast<const char*>(hdr.value()), hdr.value_size()));
  return out;
}

FailedMessage toFailedMessage(const RdKafka::Message& m) {
  FailedMessage f;
  f.topic = m.topic_name();
  f.partition = m.partition();
  f.offset = m.offset();
  if (m.key()) f.key = *m.key();
  f.value.assign(static_cast<const char*>(m.payload()), m.len());
  f.headers = headersOf(m);
  return f;
}

TopicReader::TopicReader(const KafkaSettings& settings, const std::string& topic, bool fromBeginning, bool follow)
    : follow_(follow) {
  auto marks = KafkaAdmin(settings).watermarks(topic);
  auto conf = settings.makeConf();
  setKafkaProperty(*conf, "group.id", "qrfleet-topic-reader");  // required by the API; never committed
  setKafkaProperty(*conf, "enable.auto.commit", "false");
  std::string err;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_) throw std::runtime_error("cannot create Kafka consumer: " + err);
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& [p, wm] : marks) {
    auto start = fromBeginning ? wm.first : wm.second;
    parts.push_back(RdKafka::TopicPartition::create(topic, p, start));
    if (wm.second > start) remaining_[p] = wm.second;
  }
  consumer_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
}

TopicReader::~TopicReader() { consumer_->close(); }

std::optional<FailedMessage> TopicReader::next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!atEnd() && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(200));
    if (m->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) throw std::runtime_error("reading topic: " + m->errstr());
    auto it = remaining_.find(m->partition());
    if (it != remaining_.end() && m->offset() + 1 >= it->second) remaining_.erase(it);
    return toFailedMessage(*m);
  }
  return std::nullopt;
}

}  // namespace qrfleet
