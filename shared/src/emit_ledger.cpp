#include "qrfleet/emit_ledger.h"

#include <vector>

namespace qrfleet {

EmitLedger::EmitLedger(std::string keyPrefix, std::chrono::seconds ttl) : keyPrefix_(std::move(keyPrefix)), ttl_(ttl) {}

std::set<std::string> EmitLedger::delivered(RedisClient& redis, const std::set<std::string>& causes) const {
  std::set<std::string> out;
  if (causes.empty()) return out;
  std::vector<std::vector<std::string>> reads;
  for (const auto& c : causes) reads.push_back({"EXISTS", key(c)});
  auto replies = redis.pipeline(reads);
  std::size_t i = 0;
  for (const auto& c : causes)
    if (replies[i++]->integer == 1) out.insert(c);
  return out;
}

void EmitLedger::record(RedisClient& redis, const std::set<std::string>& causes) const {
  if (causes.empty()) return;
  std::vector<std::vector<std::string>> writes;
  for (const auto& c : causes) writes.push_back({"SET", key(c), "1", "EX", std::to_string(ttl_.count())});
  redis.pipeline(writes);
}

}  // namespace qrfleet
