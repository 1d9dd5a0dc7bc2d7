#include "qrfleet/stores/redis_client.h"

#include "qrfleet/hex.h"

#include <openssl/sha.h>

#include <charconv>

namespace qrfleet {

RedisClient::RedisClient(std::string url, std::chrono::milliseconds timeout) : timeout_(timeout) {
  if (url.empty()) return;  // not configured: connect() says so
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("REDIS_URL must start with redis://");
  std::string rest = url.substr(scheme.size());
  auto at = rest.rfind('@');
  if (at != std::string::npos) {
    auto cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = cred.find(':');
    if (colon == std::string::npos) {
      password_ = cred;
    } else {
      user_ = cred.substr(0, colon);
      password_ = cred.substr(colon + 1);
    }
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    auto db = rest.substr(slash + 1);
    if (!db.empty()) db_ = std::stoi(db);
    rest = rest.substr(0, slash);
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    port_ = std::stoi(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  host_ = rest.empty() ? "127.0.0.1" : rest;
}

void RedisClient::connect() {
  if (host_.empty()) throw std::logic_error("Redis is not configured: the service declares no Redis prefix");
  timeval tv{static_cast<time_t>(timeout_.count() / 1000), static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  ctx_.reset(redisConnectWithTimeout(host_.c_str(), port_, tv));
  if (!ctx_ || ctx_->err) {
    std::string err = ctx_ ? ctx_->errstr : "out of memory";
    ctx_.reset();
    throw RedisError("cannot connect to Redis at " + host_ + ":" + std::to_string(port_) + ": " + err);
  }
  redisSetTimeout(ctx_.get(), tv);
  ++connections_;
  if (!password_.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!user_.empty()) auth.push_back(user_);
    auth.push_back(password_);
    command(auth);
  }
  if (db_ != 0) command({"SELECT", std::to_string(db_)});
}

RedisReply RedisClient::command(const std::vector<std::string>& argv) {
  if (!ctx_) connect();
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  RedisReply reply(static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lens.data())));
  if (!reply) {
    std::string err = ctx_->errstr;
    ctx_.reset();  // the connection is in an unknown state; reconnect next time
    throw RedisError("Redis command " + argv.front() + " failed: " + err);
  }
  if (reply->type == REDIS_REPLY_ERROR) throw RedisError("Redis " + argv.front() + ": " + std::string(reply->str, reply->len));
  return reply;
}

std::vector<RedisReply> RedisClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (!ctx_) connect();
  for (const auto& argv : commands) {
    std::vector<const char*> args;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK) {
      ctx_.reset();
      throw RedisError("Redis pipeline: cannot queue " + argv.front());
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  std::string firstError;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) {
      std::string err = ctx_->errstr;
      ctx_.reset();
      throw RedisError("Redis pipeline failed: " + err);
    }
    RedisReply reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ERROR && firstError.empty())
      firstError = "Redis " + commands[i].front() + ": " + std::string(reply->str, reply->len);
    replies.push_back(std::move(reply));
  }
  // Every reply was read, so the connection stays usable after an error reply.
  if (!firstError.empty()) throw RedisError(firstError);
  return replies;
}

RedisReply RedisClient::eval(const std::string& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), digest);
  std::string sha = toHex(digest, sizeof digest);
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  try {
    return command(argv);
  } catch (const RedisError& e) {
    if (std::string(e.what()).find("NOSCRIPT") == std::string::npos) throw;
  }
  command({"SCRIPT", "LOAD", script});
  return command(argv);
}

bool RedisClient::ping() noexcept {
  try {
    auto r = command({"PING"});
    return r->type == REDIS_REPLY_STATUS;
  } catch (...) {
    return false;
  }
}

}  // namespace qrfleet
