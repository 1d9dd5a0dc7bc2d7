#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "qrfleet/outside/curl_handle_pool.h"
#include "qrfleet/outside_step.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet {

// Where mail is handed over: smtp://host:587 (STARTTLS when requireTls) or
// smtps://host:465 (TLS from the start); AUTH when a user is given.
struct SmtpServerSettings {
  std::string url;
  std::string user;
  std::string password;  // a secret: never logged
  bool requireTls = true;
  std::string caFile;    // extra CA bundle (a private relay's); empty: the system's
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds totalTimeout{30000};
};

// One message: the envelope's sender and recipients, and the whole RFC 5322
// text (headers and body, CRLF line ends) as it goes after DATA.
struct MailMessage {
  std::string mailFrom;
  std::vector<std::string> rcptTo;
  std::string content;
};

struct SmtpResult {
  // badAddress: an envelope address that could end the SMTP command line (CR, LF, <, >): never sent.
  enum class Failure { none, connect, tls, auth, refused, timeout, badAddress, other };
  Failure failure = Failure::none;
  long replyCode = 0;  // the server's last reply (250, 550, 421 ...); 0 if none came
  std::string error;
  double seconds = 0;
};

// Blocking SMTP on libcurl, safe from many threads at once. Each server has a
// pool of easy handles, and a handle keeps its connection open between
// messages (curl reuses it: no new TCP, TLS and AUTH per mail). Counts
// messages per target and outcome (qrfleet_outside_smtp_total) and times them.
class SmtpClient {
 public:
  explicit SmtpClient(RuntimeMetrics& metrics, std::size_t maxIdlePerServer = 16);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  SmtpResult send(const SmtpServerSettings& server, const MailMessage& message, const std::string& target);

 private:
  CurlHandlePool pool_;  // by relay URL
  prometheus::Family<prometheus::Counter>& messages_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

// The step outcome an SMTP exchange means. 2xx: succeeded. A 5xx reply to a
// recipient or to the message (550 no such mailbox, 554 rejected), an unsafe
// address: permanent. No connection (a connect timeout included), a TLS or
// AUTH failure, a refused sender or a relay's policy reply (530, 534, 535,
// 538: the deployment's problem), a 4xx reply: transient and not delivered
// (another relay may take it at once). A timeout or a broken connection once
// connected: transient, maybe delivered.
StepOutcome classifySmtp(const SmtpResult& result);

}  // namespace qrfleet
