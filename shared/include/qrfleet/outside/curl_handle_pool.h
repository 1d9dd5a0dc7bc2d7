#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qrfleet {

// Idle libcurl easy handles by key (a server), for the outside clients: a
// handle keeps its open connection and TLS session, so taking one for the
// same server again skips the connect, the handshake and (SMTP) AUTH.
// Thread-safe; holds libcurl's global init for its lifetime.
class CurlHandlePool {
 public:
  struct EasyCleanup {
    void operator()(void* curl) const;  // curl_easy_cleanup
  };
  using Handle = std::unique_ptr<void, EasyCleanup>;  // a CURL* (libcurl's CURL is void)

  explicit CurlHandlePool(std::size_t maxIdlePerKey);
  ~CurlHandlePool();
  CurlHandlePool(const CurlHandlePool&) = delete;
  CurlHandlePool& operator=(const CurlHandlePool&) = delete;

  // An idle handle of `key`, or a new one; throws if libcurl cannot make one.
  Handle take(const std::string& key);
  // Kept for the next take() of `key`, unless `maxIdlePerKey` are idle already.
  void giveBack(const std::string& key, Handle handle);

 private:
  std::size_t maxIdle_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Handle>> idle_;
};

}  // namespace qrfleet
