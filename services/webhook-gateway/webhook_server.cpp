#include "webhook_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "cached_probe.h"
#include "pending_answer.h"
#include "webhook_intake.h"
#include "webhook_metrics.h"

namespace qrfleet::webhook {

namespace {

constexpr auto kReadinessTtl = std::chrono::milliseconds(1000);
constexpr std::string_view kWebhookPrefix = "/webhooks/";
// An idle kept-alive connection costs a file descriptor and a few KB, not a
// thread: providers and ingresses may keep theirs for a minute.
constexpr unsigned kIdleTimeoutSeconds = 60;
// Per connection: the request line, the headers and the read buffer the body
// streams through (a body is handed over in pieces of at most this much). MHD
// clears it for every request: larger costs a memset per request, not speed.
constexpr std::size_t kConnectionMemoryBytes = 16 * 1024;

// Owns an MHD_Response while headers are added, then queues it.
class Answer {
 public:
  Answer(int status, const std::string& body, const char* contentType)
      : status_(status),
        response_(MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY)) {
    if (!response_) throw std::runtime_error("cannot allocate an HTTP response");
    header("Content-Type", contentType);
  }
  ~Answer() { MHD_destroy_response(response_); }
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;

  Answer& header(const char* name, const std::string& value) {
    MHD_add_response_header(response_, name, value.c_str());
    return *this;
  }
  MHD_Result queue(MHD_Connection* connection) {
    return MHD_queue_response(connection, static_cast<unsigned>(status_), response_);
  }

 private:
  int status_;
  MHD_Response* response_;
};

std::string remoteAddress(MHD_Connection* connection) {
  const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* a = info->client_addr;
  if (a->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text, sizeof text);
  else if (a->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, text, sizeof text);
  return text;
}

}  // namespace

class WebhookServer::Impl {
 public:
  Impl(const GatewaySettings& settings, std::vector<std::unique_ptr<WebhookAdapter>> adapters, PaymentEventSink sink,
       RuntimeMetrics& metrics, JsonLogger& log, std::function<std::int64_t()> nowMs)
      : settings_(settings),
        sink_(std::move(sink)),
        runtimeMetrics_(metrics),
        metrics_(metrics, providerNames(adapters)),
        log_(log),
        nowMs_(std::move(nowMs)),
        kafkaReachable_([this] { return sink_.reachable(); }, kReadinessTtl),
        deadlines_(settings.ackTimeout) {
    for (auto& a : adapters) {
      auto name = a->provider();
      adapters_.emplace(std::move(name), std::move(a));
    }
  }

  ~Impl() { stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  int start() {
    sockaddr_storage address{};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG;
    auto port = static_cast<std::uint16_t>(settings_.port);
    if (inet_pton(AF_INET, settings_.bind.c_str(), &reinterpret_cast<sockaddr_in&>(address).sin_addr) == 1) {
      auto& v4 = reinterpret_cast<sockaddr_in&>(address);
      v4.sin_family = AF_INET;
      v4.sin_port = htons(port);
    } else if (inet_pton(AF_INET6, settings_.bind.c_str(), &reinterpret_cast<sockaddr_in6&>(address).sin6_addr) == 1) {
      auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
      v6.sin6_family = AF_INET6;
      v6.sin6_port = htons(port);
      flags |= MHD_USE_IPv6;
    } else {
      throw std::runtime_error("WEBHOOK_BIND: '" + settings_.bind + "' is not an IPv4 or IPv6 address");
    }
    daemon_ = MHD_start_daemon(
        flags, port, nullptr, nullptr, &Impl::onRequest, this,                                   //
        MHD_OPTION_EXTERNAL_LOGGER, &Impl::onLibraryMessage, this,  // first, or MHD logs to stderr until it is set
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address),                               //
        MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(settings_.threads),                    //
        MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds,                                        //
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemoryBytes,                                //
        MHD_OPTION_NOTIFY_COMPLETED, &Impl::onCompleted, this,                                     //
        MHD_OPTION_END);
    if (!daemon_)
      throw std::runtime_error("WEBHOOK_PORT/WEBHOOK_BIND: cannot listen on " + settings_.bind + ":" +
                               std::to_string(settings_.port));
    serving_ = true;
    const auto* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : settings_.port;
  }

  void beginShutdown() {
    shuttingDown_ = true;
    runtimeMetrics_.setReady(false);
  }

  void stop() {
    std::lock_guard lock(stopping_);
    if (!daemon_) return;
    shuttingDown_ = true;
    // From here no request is suspended any more (webhook() answers 503
    // instead), so the count of suspended ones only falls.
    closing_ = true;
    // No new connections; the ones open are served until their requests are answered.
    auto listener = MHD_quiesce_daemon(daemon_);
    // MHD_stop_daemon must never meet a suspended connection, and every one is
    // settled (then resumed) within WEBHOOK_ACK_TIMEOUT_MS by AnswerDeadlines:
    // wait for them all, however long Kafka takes.
    while (waiting_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    // Requests reading their bodies get a moment to be answered too.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (active_.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
    // A quiesced listener stays open until the daemon is stopped (microhttpd.h).
    if (listener != MHD_INVALID_SOCKET) close(listener);
    serving_ = false;
  }

  bool serving() const { return serving_; }

 private:
  // One request's state from its headers to its answer (MHD's *req_cls).
  struct Request {
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool webhook = false;
    const WebhookAdapter* adapter = nullptr;
    std::string provider;
    std::string body;
    bool tooLarge = false;
    std::shared_ptr<PendingAnswer> pending;  // set while Kafka is asked
    nlohmann::json fields;                   // for the log line once Kafka answered
  };

  static std::vector<std::string> providerNames(const std::vector<std::unique_ptr<WebhookAdapter>>& adapters) {
    std::vector<std::string> out;
    for (const auto& a : adapters) out.push_back(a->provider());
    return out;
  }

  static MHD_Result onRequest(void* self, MHD_Connection* connection, const char* url, const char* method,
                              const char* /*version*/, const char* data, std::size_t* size, void** state) {
    try {
      return static_cast<Impl*>(self)->request(connection, url, method, data, size, state);
    } catch (...) {
      return MHD_NO;  // nothing may unwind through libmicrohttpd's C frames: the connection is closed
    }
  }

  static void onCompleted(void* self, MHD_Connection*, void** state, MHD_RequestTerminationCode) {
    std::unique_ptr<Request> request(static_cast<Request*>(*state));
    *state = nullptr;
    if (request) static_cast<Impl*>(self)->active_.fetch_sub(1);
  }

  static void onLibraryMessage(void* self, const char* format, va_list args) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    std::string message(text);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    try {
      static_cast<Impl*>(self)->log_.warn("HTTP server", {{"message", message}});
    } catch (...) {
    }
  }

  MHD_Result request(MHD_Connection* connection, std::string_view url, std::string_view method, const char* data,
                     std::size_t* size, void** state) {
    auto* r = static_cast<Request*>(*state);
    if (!r) {
      // The headers are in; the body (if any) follows in further calls.
      auto fresh = std::make_unique<Request>();
      if (url.substr(0, kWebhookPrefix.size()) == kWebhookPrefix) {
        fresh->webhook = true;
        auto found = adapters_.find(url.substr(kWebhookPrefix.size()));
        fresh->adapter = found == adapters_.end() ? nullptr : found->second.get();
        fresh->provider = fresh->adapter ? fresh->adapter->provider() : WebhookMetrics::kUnknownProvider;
      }
      *state = fresh.release();
      active_.fetch_add(1);
      return MHD_YES;
    }
    try {
      if (*size > 0) {
        receive(*r, std::string_view(data, *size));
        *size = 0;
        return MHD_YES;
      }
      if (!r->webhook) return plain(connection, url, method);
      if (method != "POST")
        return answer(connection, *r, WebhookOutcome::badBody, answerError(405, "method not allowed"), {"Allow", "POST"});
      if (r->pending) return acknowledged(connection, *r);
      return webhook(connection, *r);
    } catch (const std::exception& e) {
      log_.error("request failed", {{"path", std::string(url)}, {"error", e.what()}});
      if (r->pending) return MHD_NO;  // suspended or settled: no answer can be queued from here
      if (!r->webhook) return MHD_NO;
      return answer(connection, *r, WebhookOutcome::failed, answerError(500, "internal error"));
    }
  }

  // A body is read to its end even when it is not kept (over the limit, or for
  // no provider): what is left unread would be taken for the connection's next
  // request. Chunked bodies arrive decoded, and are measured the same way.
  void receive(Request& r, std::string_view piece) {
    if (!r.adapter || r.tooLarge) return;
    if (r.body.size() + piece.size() > settings_.bodyLimitBytes) {
      r.tooLarge = true;
      std::string().swap(r.body);
      return;
    }
    r.body.append(piece);
  }

  MHD_Result plain(MHD_Connection* connection, std::string_view url, std::string_view method) {
    if (method != "GET" && method != "HEAD") return json(connection, 404, {{"error", "not found"}});
    if (url == "/healthz") return text(connection, 200, "ok\n", "text/plain");
    if (url == "/metrics")
      return text(connection, 200, runtimeMetrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
    if (url == "/readyz") {
      if (shuttingDown_) return text(connection, 503, "shutting down\n", "text/plain");
      bool ready = kafkaReachable_.answer();
      runtimeMetrics_.setReady(ready);
      return text(connection, ready ? 200 : 503, ready ? "ready\n" : "Kafka unreachable\n", "text/plain");
    }
    return json(connection, 404, {{"error", "not found"}});
  }

  MHD_Result webhook(MHD_Connection* connection, Request& r) {
    if (!r.adapter) {
      log_.info("webhook for no configured provider", {{"provider", r.provider}, {"remote", remoteAddress(connection)}});
      return answer(connection, r, WebhookOutcome::unknownProvider, answerError(404, "unknown provider"));
    }
    if (r.tooLarge) {
      log_.warn("webhook body too large", {{"provider", r.provider},
                                           {"limitBytes", settings_.bodyLimitBytes},
                                           {"remote", remoteAddress(connection)}});
      return answer(connection, r, WebhookOutcome::tooLarge,
                    answerError(413, "body larger than " + std::to_string(settings_.bodyLimitBytes) + " bytes"));
    }
    HeaderLookup headers = [connection](const std::string& name) -> std::optional<std::string> {
      const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name.c_str());
      if (!value) return std::nullopt;
      return std::string(value);
    };
    auto d = decideIntake(*r.adapter, headers, r.body, nowMs_(), settings_.maxEventBytes);
    nlohmann::json fields = {{"provider", r.provider}};
    if (!d.providerEventId.empty()) fields["providerEventId"] = d.providerEventId;
    if (!d.providerType.empty()) fields["providerType"] = d.providerType;
    switch (d.outcome) {
      case WebhookOutcome::accepted: break;
      case WebhookOutcome::ignored: log_.info("webhook of a type not normalized: ignored", fields); break;
      case WebhookOutcome::badSignature:
        fields["remote"] = remoteAddress(connection);
        [[fallthrough]];
      default:
        fields["problem"] = d.problem;
        log_.warn("webhook refused", fields);
    }
    if (!d.envelope) return answer(connection, r, d.outcome, d.answer);

    fields["eventId"] = d.envelope->eventId;
    fields["eventType"] = d.envelope->eventType;
    r.fields = std::move(fields);
    r.body.clear();
    auto pendingAnswer = std::make_shared<PendingAnswer>([this, connection] {
      MHD_resume_connection(connection);
      waiting_.fetch_sub(1);  // after the resume: stop() may stop the daemon once this is 0
    });
    waiting_.fetch_add(1);
    if (closing_) {
      // stop() is waiting for the suspended requests to end: no new one.
      waiting_.fetch_sub(1);
      return answer(connection, r, WebhookOutcome::kafkaUnavailable, answerUnavailable());
    }
    // Suspended before Kafka is asked: the acknowledgement may come (and
    // resume the connection) before produce() returns.
    MHD_suspend_connection(connection);
    r.pending = std::move(pendingAnswer);
    deadlines_.watch(r.pending);
    std::weak_ptr<PendingAnswer> pending = r.pending;
    try {
      sink_.produce(d.key, *d.envelope, d.wire, [pending](Acknowledgement outcome) {
        if (auto p = pending.lock()) p->settle(std::move(outcome));
      });
    } catch (const std::exception& e) {
      r.pending->settle(std::string(e.what()));
    }
    return MHD_YES;
  }

  // Called again once the pending answer was settled and the connection resumed.
  MHD_Result acknowledged(MHD_Connection* connection, Request& r) {
    auto failure = r.pending->outcome();
    auto& fields = r.fields;
    if (failure) {
      fields["error"] = *failure;
      log_.warn("Kafka did not acknowledge a webhook's event: 503, the provider retries", fields);
      return answer(connection, r, WebhookOutcome::kafkaUnavailable, answerUnavailable());
    }
    if (log_.enabled(LogLevel::debug)) log_.debug("webhook accepted", fields);
    return answer(connection, r, WebhookOutcome::accepted, answerAcknowledged(fields["eventId"].get<std::string>()));
  }

  MHD_Result answer(MHD_Connection* connection, const Request& r, WebhookOutcome outcome, const WebhookAnswer& a,
                    std::pair<const char*, std::string> extra = {}) {
    Answer response(a.status, a.body.dump(), "application/json");
    if (a.retryAfterSeconds) response.header("Retry-After", std::to_string(*a.retryAfterSeconds));
    if (extra.first) response.header(extra.first, extra.second);
    if (shuttingDown_) response.header("Connection", "close");
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - r.started;
    metrics_.record(r.provider, outcome, took.count());
    return response.queue(connection);
  }

  MHD_Result json(MHD_Connection* connection, int status, const nlohmann::json& body) {
    return text(connection, status, body.dump(), "application/json");
  }

  MHD_Result text(MHD_Connection* connection, int status, const std::string& body, const char* contentType) {
    Answer response(status, body, contentType);
    if (shuttingDown_) response.header("Connection", "close");
    return response.queue(connection);
  }

  GatewaySettings settings_;
  PaymentEventSink sink_;
  RuntimeMetrics& runtimeMetrics_;
  WebhookMetrics metrics_;
  JsonLogger& log_;
  std::function<std::int64_t()> nowMs_;
  CachedProbe kafkaReachable_;
  std::map<std::string, std::unique_ptr<WebhookAdapter>, std::less<>> adapters_;
  std::atomic<bool> shuttingDown_{false};
  std::atomic<bool> closing_{false};  // stop() has begun: suspend nothing more
  std::atomic<bool> serving_{false};
  std::atomic<int> active_{0};   // requests between their headers and their completion
  std::atomic<int> waiting_{0};  // of them, suspended for Kafka
  std::mutex stopping_;
  AnswerDeadlines deadlines_;  // after the counters: its thread may settle (and count) until it is joined
  MHD_Daemon* daemon_ = nullptr;
};

WebhookServer::WebhookServer(const GatewaySettings& settings, std::vector<std::unique_ptr<WebhookAdapter>> adapters,
                             PaymentEventSink sink, RuntimeMetrics& metrics, JsonLogger& log,
                             std::function<std::int64_t()> nowMs)
    : impl_(std::make_unique<Impl>(settings, std::move(adapters), std::move(sink), metrics, log, std::move(nowMs))) {}

WebhookServer::~WebhookServer() = default;

int WebhookServer::start() { return impl_->start(); }
void WebhookServer::beginShutdown() { impl_->beginShutdown(); }
void WebhookServer::stop() { impl_->stop(); }
bool WebhookServer::serving() const { return impl_->serving(); }

}  // namespace qrfleet::webhook
