#include "qrfleet/stores/redis_keyspace.h"

#include <fnmatch.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "qrfleet/hex.h"

namespace qrfleet {

namespace {
std::string str(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? std::string(r->str, r->len) : "";
}
std::vector<std::string> strings(const redisReply* r) {
  std::vector<std::string> out;
  if (r && r->type == REDIS_REPLY_ARRAY)
    for (std::size_t i = 0; i < r->elements; ++i) out.push_back(str(r->element[i]));
  return out;
}
}  // namespace

RedisKeyspace::RedisKeyspace(RedisClient& redis, std::string prefix) : redis_(redis), prefix_(std::move(prefix)) {}

std::vector<std::string> RedisKeyspace::keys() {
  std::vector<std::string> out;
  std::string cursor = "0";
  do {
    auto r = redis_.command({"SCAN", cursor, "MATCH", prefix_ + ":*", "COUNT", "1000"});
    cursor = str(r->element[0]);
    for (auto& k : strings(r->element[1])) out.push_back(std::move(k));
  } while (cursor != "0");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());  // SCAN may return a key twice
  return out;
}

std::size_t RedisKeyspace::deleteAll() {
  auto all = keys();
  for (std::size_t i = 0; i < all.size(); i += 500) {
    std::vector<std::string> argv{"UNLINK"};
    argv.insert(argv.end(), all.begin() + static_cast<long>(i),
                all.begin() + static_cast<long>(std::min(all.size(), i + 500)));
    redis_.command(argv);
  }
  return all.size();
}

RedisKeyspace::Digest RedisKeyspace::digest(const std::vector<std::string>& skipPatterns) {
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  auto feed = [&](const std::string& s) {
    auto len = std::to_string(s.size()) + ":";
    EVP_DigestUpdate(ctx.get(), len.data(), len.size());
    EVP_DigestUpdate(ctx.get(), s.data(), s.size());
  };
  Digest d;
  for (const auto& key : keys()) {
    auto rest = key.substr(prefix_.size() + 1);
    if (std::any_of(skipPatterns.begin(), skipPatterns.end(),
                    [&](const std::string& p) { return fnmatch(p.c_str(), rest.c_str(), 0) == 0; }))
      continue;
    auto type = str(redis_.command({"TYPE", key}).get());
    std::vector<std::string> content;
    if (type == "string") {
      auto v = str(redis_.command({"GET", key}).get());
      content.push_back(v.rfind("HYLL", 0) == 0 ? "hll:" + std::to_string(redis_.command({"PFCOUNT", key})->integer)
                                                 : v);
    } else if (type == "list") {
      content = strings(redis_.command({"LRANGE", key, "0", "-1"}).get());
    } else if (type == "set") {
      content = strings(redis_.command({"SMEMBERS", key}).get());
      std::sort(content.begin(), content.end());
    } else if (type == "hash" || type == "zset") {
      auto flat = strings(redis_.command(type == "hash" ? std::vector<std::string>{"HGETALL", key}
                                                        : std::vector<std::string>{"ZRANGE", key, "0", "-1", "WITHSCORES"})
                              .get());
      for (std::size_t i = 0; i + 1 < flat.size(); i += 2) content.push_back(flat[i] + "=" + flat[i + 1]);
      std::sort(content.begin(), content.end());
    } else if (type == "stream") {
      // Entry ids are arrival times: compare the entries' fields only.
      auto r = redis_.command({"XRANGE", key, "-", "+"});
      for (std::size_t i = 0; i < r->elements; ++i) {
        std::string entry;
        for (const auto& f : strings(r->element[i]->element[1])) entry += f + "\x1f";
        content.push_back(entry);
      }
    }
    feed(key);
    feed(type);
    for (const auto& c : content) feed(c);
    ++d.keys;
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  d.sha256 = toHex(out, len);
  return d;
}

void RedisWriteBuffer::add(std::vector<std::string> argv) {
  pending_.push_back(std::move(argv));
  if (pending_.size() >= chunk_) flush();
}

void RedisWriteBuffer::flush() {
  if (pending_.empty()) return;
  redis_.pipeline(pending_);
  written_ += pending_.size();
  pending_.clear();
}

}  // namespace qrfleet
