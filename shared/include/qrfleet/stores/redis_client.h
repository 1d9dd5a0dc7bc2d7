#pragma once
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace qrfleet {

// Redis unreachable, timed out, or answered with an error: the batch is retried.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// One synchronous hiredis connection that reconnects on the next command after
// a failure. Not thread-safe: one per consume loop.
class RedisClient {
 public:
  // redis://[[user]:password@]host[:port][/db]; "" for a service without Redis
  // (every command then throws std::logic_error).
  explicit RedisClient(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  RedisReply command(const std::vector<std::string>& argv);
  // Sends all commands, then reads all replies: one round trip. Throws on the first error reply.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);
  // Runs a Lua script by SHA, loading it on first use or after a Redis restart.
  RedisReply eval(const std::string& script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  bool ping() noexcept;
  // How many times the connection was opened: a WATCH holds only on the
  // connection that sent it, so a caller can tell the connection changed.
  std::uint64_t connections() const { return connections_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  void connect();

  std::string host_;
  int port_ = 6379;
  int db_ = 0;
  std::string user_;
  std::string password_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
  std::uint64_t connections_ = 0;
};

}  // namespace qrfleet
