#include "qrfleet/stores/redis_effects.h"

#include <charconv>

namespace qrfleet {

namespace {
// A PFADD with more members than this is split (keeps single commands small).
constexpr std::size_t kMaxMembersPerCommand = 1000;
}  // namespace

RedisEffects::RedisEffects(std::string keyPrefix, std::string group, bool announce)
    : keyPrefix_(std::move(keyPrefix)), group_(std::move(group)), announce_(announce) {}

std::string RedisEffects::markKey(const TopicPartition& tp) const {
  return keyPrefix_ + ":offsets:" + group_ + ":" + tp.topic + ":" + std::to_string(tp.partition);
}

void RedisEffects::begin(RedisClient& redis, const std::set<TopicPartition>& partitions) {
  marks_.clear();
  unmarked_.clear();
  increments_.clear();
  hllAdds_.clear();
  commands_.clear();
  if (partitions.empty()) return;
  // UNWATCH drops a WATCH left by an attempt that failed before its EXEC.
  std::vector<std::string> watch{"WATCH"}, mget{"MGET"};
  for (const auto& tp : partitions) {
    watch.push_back(markKey(tp));
    mget.push_back(markKey(tp));
  }
  auto replies = redis.pipeline({{"UNWATCH"}, watch, mget});
  watchedOn_ = redis.connections();
  const redisReply* reply = replies.back().get();
  std::size_t i = 0;
  for (const auto& tp : partitions) {
    std::int64_t mark = -1;
    const redisReply* el = reply->element[i++];
    if (el->type == REDIS_REPLY_STRING) std::from_chars(el->str, el->str + el->len, mark);
    else unmarked_.insert(tp);
    marks_[tp] = mark;
  }
}

std::int64_t RedisEffects::appliedUpTo(const TopicPartition& tp) const {
  auto it = marks_.find(tp);
  return it == marks_.end() ? -1 : it->second;
}

void RedisEffects::incrBy(const std::string& key, std::int64_t by) { increments_[key] += by; }

void RedisEffects::pfAdd(const std::string& key, const std::string& member) { hllAdds_[key].push_back(member); }

void RedisEffects::xAdd(const std::string& key, std::int64_t maxLen,
                        const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> argv{"XADD", key, "MAXLEN", "~", std::to_string(maxLen), "*"};
  for (const auto& [f, v] : fields) {
    argv.push_back(f);
    argv.push_back(v);
  }
  commands_.push_back(std::move(argv));
}

void RedisEffects::command(std::vector<std::string> argv) { commands_.push_back(std::move(argv)); }

void RedisEffects::publish(const std::string& channel, const std::string& message) {
  if (announce_) commands_.push_back({"PUBLISH", channel, message});
}

std::vector<std::vector<std::string>> RedisEffects::pendingCommands() const {
  std::vector<std::vector<std::string>> out;
  for (const auto& [key, by] : increments_) out.push_back({"INCRBY", key, std::to_string(by)});
  for (const auto& [key, members] : hllAdds_) {
    std::vector<std::string> argv{"PFADD", key};
    argv.insert(argv.end(), members.begin(), members.end());
    out.push_back(std::move(argv));
  }
  out.insert(out.end(), commands_.begin(), commands_.end());
  return out;
}

std::size_t RedisEffects::queuedCommands() const { return increments_.size() + hllAdds_.size() + commands_.size(); }

bool RedisEffects::commit(RedisClient& redis, const std::map<TopicPartition, std::int64_t>& lastOffsets) {
  if (lastOffsets.empty()) return true;
  if (redis.connections() != watchedOn_)
    throw RedisError("the Redis connection was re-opened during the batch; its WATCH is gone");
  std::vector<std::vector<std::string>> tx;
  tx.reserve(3 + increments_.size() + hllAdds_.size() + commands_.size() + lastOffsets.size());
  tx.push_back({"MULTI"});
  for (const auto& [key, by] : increments_)
    if (by != 0) tx.push_back({"INCRBY", key, std::to_string(by)});
  for (const auto& [key, members] : hllAdds_) {
    std::vector<std::string> argv{"PFADD", key};
    for (const auto& m : members) {
      argv.push_back(m);
      if (argv.size() - 2 == kMaxMembersPerCommand) {
        tx.push_back(argv);
        argv.resize(2);
      }
    }
    if (argv.size() > 2) tx.push_back(std::move(argv));
  }
  // Moved, not copied: begin() clears them for the next attempt, and the
  // count stays right for queuedCommands().
  for (auto& c : commands_) tx.push_back(std::move(c));
  for (const auto& [tp, last] : lastOffsets)
    tx.push_back({"SET", markKey(tp), std::to_string(std::max(last, appliedUpTo(tp)))});
  tx.push_back({"EXEC"});
  auto replies = redis.pipeline(tx);
  const redisReply* exec = replies.back().get();
  if (exec->type != REDIS_REPLY_ARRAY) return false;  // a watched mark moved: nothing was applied
  for (std::size_t i = 0; i < exec->elements; ++i)
    if (exec->element[i]->type == REDIS_REPLY_ERROR)
      throw RedisError("Redis " + tx[i + 1].front() + " in the batch's transaction: " +
                       std::string(exec->element[i]->str, exec->element[i]->len));
  return true;
}

}  // namespace qrfleet
