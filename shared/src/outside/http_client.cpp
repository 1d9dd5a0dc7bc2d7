#include "qrfleet/outside/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

namespace qrfleet {

namespace {

struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t appendBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t readHeader(char* data, std::size_t size, std::size_t n, void* out) {
  std::string_view line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = std::string(value);
  } else if (line.starts_with("HTTP/")) {
    static_cast<std::map<std::string, std::string>*>(out)->clear();  // a new response (after 100 Continue, a redirect)
  }
  return size * n;
}

std::string outcomeLabel(const HttpResponse& r) {
  switch (r.failure) {
    case HttpResponse::Failure::connect: return "connect_error";
    case HttpResponse::Failure::timeout: return "timeout";
    case HttpResponse::Failure::malformed: return "bad_request";
    case HttpResponse::Failure::other: return "error";
    case HttpResponse::Failure::none: break;
  }
  if (r.status == 429) return "429";
  return std::to_string(r.status / 100) + "xx";
}

}  // namespace

HttpClient::HttpClient(RuntimeMetrics& metrics, std::size_t maxIdleHandles)
    : pool_(maxIdleHandles),
      requests_(metrics.counters("qrfleet_outside_requests_total", "HTTP requests to outside providers by target and outcome (2xx, 4xx, 429, 5xx, timeout, connect_error, error)")),
      seconds_(metrics.histograms("qrfleet_outside_request_seconds", "HTTP request duration by target")) {
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::send(const HttpRequest& req) {
  auto handle = pool_.take("");
  CURL* c = handle.get();
  curl_easy_reset(c);  // keeps the connection cache: keep-alive reuse
  HttpResponse resp;
  std::unique_ptr<curl_slist, CurlListDeleter> headers;
  bool contentType = false;
  for (const auto& [k, v] : req.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (lower == "content-type") contentType = true;
    auto line = k + ": " + v;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  // Without one, curl labels a POST body application/x-www-form-urlencoded.
  if (!req.body.empty() && !contentType)
    headers.reset(curl_slist_append(headers.release(), "Content-Type: application/octet-stream"));
  headers.reset(curl_slist_append(headers.release(), "Expect:"));  // no 100-continue round trip

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(req.totalTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, readHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  if (!req.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, req.caFile.c_str());
  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
  }
  std::string credentials;
  if (req.sigv4) {
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, req.sigv4->provider.c_str());
    credentials = req.sigv4->accessKey + ":" + req.sigv4->secretKey;
    curl_easy_setopt(c, CURLOPT_USERPWD, credentials.c_str());
  }
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  auto rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  double total = 0;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
  resp.seconds = total;
  // Nothing of this call may outlive it in the pooled handle.
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_USERPWD, nullptr);
  if (rc != CURLE_OK) {
    resp.failure = rc == CURLE_OPERATION_TIMEDOUT ? HttpResponse::Failure::timeout
                   : (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                      rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR)
                       ? HttpResponse::Failure::connect
                   : (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) ? HttpResponse::Failure::malformed
                                                                                     : HttpResponse::Failure::other;
    resp.error = error[0] ? error : curl_easy_strerror(rc);
  }
  requests_.Add({{"target", req.target}, {"outcome", outcomeLabel(resp)}}).Increment();
  seconds_.Add({{"target", req.target}},
               prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
      .Observe(resp.seconds);
  pool_.giveBack("", std::move(handle));
  return resp;
}

std::chrono::milliseconds parseRetryAfter(const std::string& value, std::int64_t nowSeconds) {
  if (value.empty()) return {};
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  constexpr long long kDay = 86400;  // a longer wait is a misconfigured server, not a plan
  if (ec == std::errc{} && end == value.data() + value.size())
    return std::chrono::seconds(std::clamp(seconds, 0LL, kDay));
  auto at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return {};
  return std::chrono::seconds(std::clamp<std::int64_t>(static_cast<std::int64_t>(at) - nowSeconds, 0, kDay));
}

StepOutcome classifyHttp(const HttpResponse& r) {
  switch (r.failure) {
    case HttpResponse::Failure::connect: return StepOutcome::transient("no connection: " + r.error, {}, true);
    case HttpResponse::Failure::timeout: return StepOutcome::transient("timeout: " + r.error);
    case HttpResponse::Failure::malformed: return StepOutcome::permanent("bad request: " + r.error);
    case HttpResponse::Failure::other: return StepOutcome::transient("no answer: " + r.error);
    case HttpResponse::Failure::none: break;
  }
  auto detail = "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body.substr(0, 200));
  if (r.status >= 200 && r.status < 300) return StepOutcome::success(detail);
  // Credentials refused (401/403) is the deployment's problem, not the event's:
  // retried until fixed or out of attempts, not dead-lettered at once. A 409
  // is what idempotency-keyed APIs (Stripe: idempotency_key_in_use) answer
  // while the first request with the key is still being worked on.
  if (r.status == 401 || r.status == 403 || r.status == 408 || r.status == 409 || r.status == 425 ||
      r.status == 429 || r.status >= 500)
    return StepOutcome::transient(detail, parseRetryAfter(r.header("retry-after"), std::time(nullptr)),
                                  r.status == 429 || r.status == 503);
  return StepOutcome::permanent(detail);
}

}  // namespace qrfleet
