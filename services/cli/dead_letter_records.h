#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/runtime/dead_letter_publisher.h"
#include "qrfleet/kafka/kafka_settings.h"

namespace qrfleet::cli {

// One record of the dead-letter-queue topic, with its dlq-* headers read out.
struct DeadLetterRecord {
  FailedMessage message;  // topic/partition/offset: where it sits in the DLQ
  std::string failedAt, service, originalTopic, errorClass, errorMessage, attempts;
  std::int32_t originalPartition = -1;
  std::int64_t originalOffset = -1;
  std::int64_t failedAtMs = 0;

  std::string position() const { return std::to_string(message.partition) + ":" + std::to_string(message.offset); }
  // The original headers, without the dlq-* ones.
  KafkaHeaders originalHeaders() const;
};

struct DeadLetterFilter {
  std::string service;
  std::string errorClass;
  std::string originalTopic;
  std::optional<std::int64_t> sinceMs;
  bool matches(const DeadLetterRecord& r) const;
};

// Reads the whole dead-letter-queue topic (up to its end at start).
std::vector<DeadLetterRecord> readDeadLetters(const KafkaSettings& kafka, const DeadLetterFilter& filter);

// Which DLQ records were redriven already, kept in Postgres (qrfleet_ops) so a
// second redrive, from any machine, sends nothing twice.
class RedriveLedger {
 public:
  explicit RedriveLedger(std::string databaseUrl);
  std::set<std::pair<std::int32_t, std::int64_t>> redriven();
  // Republishes the records to their original topics and partitions and marks
  // them, all or nothing: marks commit only after Kafka acknowledged every message.
  // Records marked meanwhile (a concurrent redrive) are skipped. Returns how many were sent.
  std::size_t redrive(const KafkaSettings& kafka, const std::vector<DeadLetterRecord>& records);

 private:
  void ensureTable();
  std::string url_;
};

}  // namespace qrfleet::cli
