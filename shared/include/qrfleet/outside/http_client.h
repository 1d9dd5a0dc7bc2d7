#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/outside/curl_handle_pool.h"
#include "qrfleet/outside_step.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

// AWS Signature V4 by libcurl (CURLOPT_AWS_SIGV4), for S3 and its kin.
struct AwsSigning {
  std::string provider;  // "aws:amz:<region>:s3"
  std::string accessKey;
  std::string secretKey;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // values may be secrets: never logged
  std::string body;
  // Metrics label: the provider, never the URL (which may carry a token).
  std::string target = "http";
  std::chrono::milliseconds connectTimeout{3000};
  std::chrono::milliseconds totalTimeout{10000};
  std::optional<AwsSigning> sigv4;
  std::string caFile;  // extra CA bundle; empty: the system's
};

struct HttpResponse {
  enum class Failure { none, connect, timeout, malformed, other };  // malformed: a URL curl cannot send
  Failure failure = Failure::none;
  std::string error;  // curl's message when failure != none
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  double seconds = 0;
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Blocking HTTP on libcurl, safe to call from many threads at once (each call
// takes an idle easy handle from a pool, so keep-alive connections and TLS
// sessions are reused). Counts requests per target and outcome
// (qrfleet_outside_requests_total) and times them
// (qrfleet_outside_request_seconds).
class HttpClient {
 public:
  explicit HttpClient(RuntimeMetrics& metrics, std::size_t maxIdleHandles = 128);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse send(const HttpRequest& request);

 private:
  CurlHandlePool pool_;  // one key: libcurl keeps each handle's connections per host
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

// The step outcome an HTTP exchange means: 2xx succeeded; a connection
// failure, timeout, 401, 403, 408, 425, 429 or 5xx is transient (with
// Retry-After, in seconds or as an HTTP date, when the server sent one; no
// connection, 429 and 503 also mark it notDelivered); a URL curl cannot send
// and any other status are permanent. The detail names the status and the
// start of the body, never a header or the URL.
StepOutcome classifyHttp(const HttpResponse& response);

// Retry-After as a wait from `nowSeconds` (Unix time): delta-seconds or an HTTP date; 0 when absent or unreadable.
std::chrono::milliseconds parseRetryAfter(const std::string& value, std::int64_t nowSeconds);

}  // namespace qrfleet
