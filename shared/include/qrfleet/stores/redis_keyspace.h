#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "qrfleet/stores/redis_client.h"

namespace qrfleet {

// All keys of one service (`<prefix>:*`) taken as a whole: for replays
// (reset), verification (digest) and rebuilds after Redis lost its data.
class RedisKeyspace {
 public:
  RedisKeyspace(RedisClient& redis, std::string prefix);

  std::vector<std::string> keys();
  std::size_t deleteAll();
  // SHA-256 over every key and its content, in key order, skipping keys whose
  // name after `<prefix>:` matches one of the glob patterns. Content is
  // compared by meaning, not encoding: a HyperLogLog by its count (its bytes
  // depend on insertion order), sets and hashes sorted; TTLs are ignored.
  struct Digest {
    std::string sha256;
    std::size_t keys = 0;
  };
  Digest digest(const std::vector<std::string>& skipPatterns);

 private:
  RedisClient& redis_;
  std::string prefix_;
};

// Writes for a rebuild, sent in pipelined chunks of `chunk` commands.
class RedisWriteBuffer {
 public:
  explicit RedisWriteBuffer(RedisClient& redis, std::size_t chunk = 1000) : redis_(redis), chunk_(chunk) {}
  void add(std::vector<std::string> argv);
  void flush();
  std::size_t written() const { return written_; }

 private:
  RedisClient& redis_;
  std::size_t chunk_;
  std::vector<std::vector<std::string>> pending_;
  std::size_t written_ = 0;
};

}  // namespace qrfleet
