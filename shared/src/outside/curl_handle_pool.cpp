#include "qrfleet/outside/curl_handle_pool.h"

#include <curl/curl.h>

#include <stdexcept>

namespace qrfleet {

void CurlHandlePool::EasyCleanup::operator()(void* curl) const { curl_easy_cleanup(curl); }

CurlHandlePool::CurlHandlePool(std::size_t maxIdlePerKey) : maxIdle_(maxIdlePerKey) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // reference-counted; thread-safe in libcurl >= 7.84
}

CurlHandlePool::~CurlHandlePool() {
  idle_.clear();
  curl_global_cleanup();
}

CurlHandlePool::Handle CurlHandlePool::take(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    auto& pool = idle_[key];
    if (!pool.empty()) {
      auto h = std::move(pool.back());
      pool.pop_back();
      return h;
    }
  }
  Handle h(curl_easy_init());
  if (!h) throw std::runtime_error("curl_easy_init failed");
  return h;
}

void CurlHandlePool::giveBack(const std::string& key, Handle handle) {
  std::lock_guard lock(mutex_);
  auto& pool = idle_[key];
  if (pool.size() < maxIdle_) pool.push_back(std::move(handle));
}

}  // namespace qrfleet
