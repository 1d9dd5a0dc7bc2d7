#include "qrfleet/outside/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace qrfleet {

namespace {

struct SmtpListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct MailUpload {
  const std::string* content;
  std::size_t sent = 0;
};

std::size_t readContent(char* buffer, std::size_t size, std::size_t n, void* data) {
  auto* up = static_cast<MailUpload*>(data);
  std::size_t room = size * n;
  std::size_t left = up->content->size() - up->sent;
  std::size_t take = std::min(room, left);
  std::memcpy(buffer, up->content->data() + up->sent, take);
  up->sent += take;
  return take;
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

std::string smtpOutcomeLabel(const SmtpResult& r) {
  switch (r.failure) {
    case SmtpResult::Failure::none: return "sent";
    case SmtpResult::Failure::badAddress: return "bad_address";
    case SmtpResult::Failure::connect: return "connect_error";
    case SmtpResult::Failure::tls: return "tls_error";
    case SmtpResult::Failure::auth: return "auth_error";
    case SmtpResult::Failure::refused: return r.replyCode >= 500 ? "5xx" : "4xx";
    case SmtpResult::Failure::timeout: return "timeout";
    case SmtpResult::Failure::other: return "error";
  }
  return "error";
}

}  // namespace

SmtpClient::SmtpClient(RuntimeMetrics& metrics, std::size_t maxIdlePerServer)
    : pool_(maxIdlePerServer),
      messages_(metrics.counters("qrfleet_outside_smtp_total", "Messages handed to SMTP relays by target and outcome (sent, 4xx, 5xx, timeout, connect_error, tls_error, auth_error, error)")),
      seconds_(metrics.histograms("qrfleet_outside_smtp_seconds", "SMTP send duration by target")) {
}

SmtpClient::~SmtpClient() = default;

SmtpResult SmtpClient::send(const SmtpServerSettings& server, const MailMessage& message, const std::string& target) {
  // libcurl puts the addresses into MAIL FROM and RCPT TO as they are.
  auto unsafe = [](const std::string& a) { return a.find_first_of(std::string_view("\r\n<>\0", 5)) != std::string::npos; };
  if (unsafe(message.mailFrom) || std::any_of(message.rcptTo.begin(), message.rcptTo.end(), unsafe)) {
    SmtpResult bad;
    bad.failure = SmtpResult::Failure::badAddress;
    bad.error = "an envelope address holds CR, LF, NUL, < or >";
    messages_.Add({{"target", target}, {"outcome", "bad_address"}}).Increment();
    return bad;
  }
  auto handle = pool_.take(server.url);
  CURL* c = handle.get();
  curl_easy_reset(c);  // keeps the handle's open connection for the next message
  std::unique_ptr<curl_slist, SmtpListDeleter> rcpt;
  for (const auto& to : message.rcptTo) rcpt.reset(curl_slist_append(rcpt.release(), ("<" + to + ">").c_str()));
  auto from = "<" + message.mailFrom + ">";
  MailUpload upload{&message.content};
  char error[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(server.connectTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(server.totalTimeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  // Without a requirement, STARTTLS is still used when the relay offers it.
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(server.requireTls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (!server.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, server.caFile.c_str());
  if (!server.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, readContent);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.content.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  auto rc = curl_easy_perform(c);
  SmtpResult r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.replyCode);
  double total = 0, connected = 0;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connected);
  r.seconds = total;
  // Nothing of this message may outlive it in the pooled handle.
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(c, CURLOPT_PASSWORD, nullptr);
  bool reusable = true;
  if (rc != CURLE_OK) {
    r.error = error[0] ? error : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
        r.failure = SmtpResult::Failure::connect;
        break;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_USE_SSL_FAILED:
      case CURLE_PEER_FAILED_VERIFICATION:
        r.failure = SmtpResult::Failure::tls;
        break;
      case CURLE_LOGIN_DENIED:
        r.failure = SmtpResult::Failure::auth;
        break;
      case CURLE_OPERATION_TIMEDOUT:
        // Never connected (a relay that drops packets): nothing reached it.
        r.failure = connected > 0 ? SmtpResult::Failure::timeout : SmtpResult::Failure::connect;
        break;
      default:
        // curl stops at the first refused MAIL FROM, RCPT TO or DATA and gives the reply's code.
        r.failure = r.replyCode >= 400 ? SmtpResult::Failure::refused : SmtpResult::Failure::other;
    }
    reusable = r.failure == SmtpResult::Failure::refused;
  } else if (r.replyCode >= 400) {
    r.failure = SmtpResult::Failure::refused;
  }
  messages_.Add({{"target", target}, {"outcome", smtpOutcomeLabel(r)}}).Increment();
  seconds_.Add({{"target", target}},
               prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
      .Observe(r.seconds);
  // A handle whose connection broke reconnects by itself; one that timed out
  // may hold a half-spoken session: drop it.
  if (reusable || r.failure == SmtpResult::Failure::connect) pool_.giveBack(server.url, std::move(handle));
  return r;
}

StepOutcome classifySmtp(const SmtpResult& r) {
  auto code = r.replyCode ? " (" + std::to_string(r.replyCode) + ")" : std::string();
  switch (r.failure) {
    case SmtpResult::Failure::none: return StepOutcome::success("SMTP " + std::to_string(r.replyCode));
    case SmtpResult::Failure::connect: return StepOutcome::transient("no connection: " + r.error, {}, true);
    case SmtpResult::Failure::tls: return StepOutcome::transient("TLS failed: " + r.error, {}, true);
    case SmtpResult::Failure::auth: return StepOutcome::transient("AUTH refused" + code + ": " + r.error, {}, true);
    case SmtpResult::Failure::badAddress: return StepOutcome::permanent(r.error);
    case SmtpResult::Failure::refused: {
      // The relay refusing us (policy, AUTH, the sender) is not the recipient's fault.
      bool relayPolicy = r.replyCode == 530 || r.replyCode == 534 || r.replyCode == 535 || r.replyCode == 538 ||
                         r.error.find("MAIL failed") != std::string::npos;
      if (r.replyCode >= 500 && !relayPolicy) return StepOutcome::permanent("SMTP refused" + code + ": " + r.error);
      return StepOutcome::transient("SMTP deferred" + code + ": " + r.error, {}, true);
    }
    case SmtpResult::Failure::timeout: return StepOutcome::transient("timeout: " + r.error);
    case SmtpResult::Failure::other: return StepOutcome::transient("SMTP failed" + code + ": " + r.error);
  }
  return StepOutcome::transient("SMTP failed: " + r.error);
}

}  // namespace qrfleet
