#include "dead_letter_records.h"

#include <charconv>
#include <pqxx/pqxx>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/time_format.h"
#include "qrfleet/kafka/topic_reader.h"

namespace qrfleet::cli {

namespace {
template <class T>
T number(const std::string& s, T fallback) {
  T v = fallback;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
}  // namespace

KafkaHeaders DeadLetterRecord::originalHeaders() const {
  KafkaHeaders out;
  for (const auto& h : message.headers)
    if (!h.first.starts_with("dlq-")) out.push_back(h);
  return out;
}

bool DeadLetterFilter::matches(const DeadLetterRecord& r) const {
  return (service.empty() || r.service == service) && (errorClass.empty() || r.errorClass == errorClass) &&
         (originalTopic.empty() || r.originalTopic == originalTopic) && (!sinceMs || r.failedAtMs >= *sinceMs);
}

std::vector<DeadLetterRecord> readDeadLetters(const KafkaSettings& kafka, const DeadLetterFilter& filter) {
  TopicReader reader(kafka, std::string(DeadLetterPublisher::topic), true);
  std::vector<DeadLetterRecord> out;
  while (!reader.atEnd()) {
    // Generous: the first fetch includes joining the cluster, slow on a loaded machine.
    auto m = reader.next(std::chrono::seconds(30));
    if (!m) throw std::runtime_error("timed out (30 s) reading dead-letter-queue");
    DeadLetterRecord r;
    for (const auto& [k, v] : m->headers) {
      if (k == "dlq-failed-at") r.failedAt = v;
      else if (k == "dlq-service") r.service = v;
      else if (k == "dlq-original-topic") r.originalTopic = v;
      else if (k == "dlq-original-partition") r.originalPartition = number<std::int32_t>(v, -1);
      else if (k == "dlq-original-offset") r.originalOffset = number<std::int64_t>(v, -1);
      else if (k == "dlq-error-class") r.errorClass = v;
      else if (k == "dlq-error-message") r.errorMessage = v;
      else if (k == "dlq-attempts") r.attempts = v;
    }
    r.failedAtMs = parseRfc3339Millis(r.failedAt).value_or(0);
    r.message = std::move(*m);
    if (filter.matches(r)) out.push_back(std::move(r));
  }
  return out;
}

RedriveLedger::RedriveLedger(std::string databaseUrl) : url_(std::move(databaseUrl)) {}

void RedriveLedger::ensureTable() {
  pqxx::connection c(url_);
  pqxx::work w(c);
  w.exec("SELECT pg_advisory_xact_lock(hashtext('qrfleet-ddl:qrfleet_ops'))");
  w.exec("CREATE SCHEMA IF NOT EXISTS qrfleet_ops");
  w.exec("CREATE TABLE IF NOT EXISTS qrfleet_ops.dlq_redrives ("
         " dlq_partition int NOT NULL, dlq_offset bigint NOT NULL,"
         " original_topic text NOT NULL, redriven_at timestamptz NOT NULL DEFAULT now(),"
         " PRIMARY KEY (dlq_partition, dlq_offset))");
  w.commit();
}

std::set<std::pair<std::int32_t, std::int64_t>> RedriveLedger::redriven() {
  ensureTable();
  pqxx::connection c(url_);
  pqxx::read_transaction t(c);
  std::set<std::pair<std::int32_t, std::int64_t>> out;
  for (const auto& row : t.exec("SELECT dlq_partition, dlq_offset FROM qrfleet_ops.dlq_redrives"))
    out.insert({row[0].as<std::int32_t>(), row[1].as<std::int64_t>()});
  return out;
}

std::size_t RedriveLedger::redrive(const KafkaSettings& kafka, const std::vector<DeadLetterRecord>& records) {
  ensureTable();
  pqxx::connection c(url_);
  pqxx::work w(c);
  // One redrive at a time: the marks read below stay true until commit.
  w.exec("SELECT pg_advisory_xact_lock(hashtext('qrfleet-dlq-redrive'))");
  EventProducer producer(kafka, "qrfleet-cli-redrive");
  std::size_t sent = 0;
  for (const auto& r : records) {
    auto inserted = w.exec_params(
        "INSERT INTO qrfleet_ops.dlq_redrives (dlq_partition, dlq_offset, original_topic) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        r.message.partition, r.message.offset, r.originalTopic);
    if (inserted.affected_rows() == 0) continue;
    auto headers = r.originalHeaders();
    headers.emplace_back("redriven-from", "dead-letter-queue/" + r.position());
    producer.produce(r.originalTopic, r.message.key, r.message.value, headers,
                     r.originalPartition >= 0 ? r.originalPartition : RdKafka::Topic::PARTITION_UA);
    ++sent;
  }
  // Marks only once Kafka has every message; a crash before the commit sends
  // them again next time, with the same event ids, which consumers de-duplicate.
  producer.flush(std::chrono::seconds(60));
  w.commit();
  return sent;
}

}  // namespace qrfleet::cli
