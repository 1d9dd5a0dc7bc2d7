#include "qrfleet/redis_effects.h"

#include <charconv>

namespace qrfleet {

namespace {
// KEYS: partition marks. ARGV: expected marks, new marks, then commands as
// <argc> <argv...>. The whole script is atomic in Redis.
constexpr const char* kApplyScript = R"lua(
local n = #KEYS
for i = 1, n do
  local cur = redis.call('GET', KEYS[i]) or '-1'
  if cur ~= ARGV[i] then return 0 end
end
local i = 2 * n + 1
while i <= #ARGV do
  local argc = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + argc))
  i = i + argc + 1
end
for k = 1, n do redis.call('SET', KEYS[k], ARGV[n + k]) end
return 1
)lua";

// Lua's unpack() is limited by the C stack (~8000 values); keep commands well below it.
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
  std::vector<std::string> argv{"MGET"};
  for (const auto& tp : partitions) argv.push_back(markKey(tp));
  auto reply = redis.command(argv);
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

void RedisEffects::pfAdd(const std::string& key, const std::string& member) { hllAdds_[key].insert(member); }

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

std::size_t RedisEffects::queuedCommands() const { return increments_.size() + hllAdds_.size() + commands_.size(); }

bool RedisEffects::commit(RedisClient& redis, const std::map<TopicPartition, std::int64_t>& lastOffsets) {
  std::vector<std::string> keys;
  std::vector<std::string> args;
  std::vector<std::string> newMarks;
  for (const auto& [tp, last] : lastOffsets) {
    keys.push_back(markKey(tp));
    args.push_back(std::to_string(appliedUpTo(tp)));
    newMarks.push_back(std::to_string(std::max(last, appliedUpTo(tp))));
  }
  if (keys.empty()) return true;
  args.insert(args.end(), newMarks.begin(), newMarks.end());
  auto push = [&args](const std::vector<std::string>& argv) {
    args.push_back(std::to_string(argv.size()));
    args.insert(args.end(), argv.begin(), argv.end());
  };
  for (const auto& [key, by] : increments_)
    if (by != 0) push({"INCRBY", key, std::to_string(by)});
  for (const auto& [key, members] : hllAdds_) {
    std::vector<std::string> argv{"PFADD", key};
    for (const auto& m : members) {
      argv.push_back(m);
      if (argv.size() - 2 == kMaxMembersPerCommand) {
        push(argv);
        argv.resize(2);
      }
    }
    if (argv.size() > 2) push(argv);
  }
  for (const auto& c : commands_) push(c);
  auto reply = redis.eval(kApplyScript, keys, args);
  return reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
}

}  // namespace qrfleet
