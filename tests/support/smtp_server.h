#pragma once
#include <memory>
#include <string>
#include <vector>

#include "test_stack.h"

namespace qrfleet::testing {

// tests/smtp/smtp_server.py, started on a free loopback port for one test: a
// real SMTP server that insists, like a production relay, on STARTTLS and then
// AUTH, so the mail path is tested through libcurl's whole SMTP conversation.
// It logs every message it accepts, which is how a test counts deliveries per
// idempotency key; stop() and start() make an outage on the same address.
class SmtpServer {
 public:
  struct Message {
    double at = 0;  // Unix seconds its data arrived
    std::string mailFrom;
    std::vector<std::string> rcptTos;
    std::string messageId;       // the Message-ID header, without angle brackets
    std::string idempotencyKey;  // the X-Idempotency-Key header
    std::string subject;         // decoded
    std::string text, html;      // the text/plain and text/html parts, decoded ("" if none)
  };

  // `extraArgs` go to the script: {"--reject-rcpt-domain", "invalid.example"} (RCPT gets 550 5.1.1),
  // {"--delay-ms", "50"} (each message's DATA answer held).
  explicit SmtpServer(const std::string& name, const std::string& user = "qrfleet",
                      const std::string& password = "smtp-secret", std::vector<std::string> extraArgs = {});
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // The self-signed certificate it presents (for 127.0.0.1): the client's CURLOPT_CAINFO.
  std::string caFile() const { return certFile_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }

  // Every message accepted so far, in acceptance order, across restarts.
  std::vector<Message> messages() const;
  // SIGTERM and wait: it stops listening and exits; throws if it does not exit cleanly.
  void stop();
  // After stop(): again, on the same port and certificate, appending to the same log.
  void start();

 private:
  void launch();

  int port_;
  std::string user_, password_;
  std::string certFile_, keyFile_, messagesFile_, processLog_;
  std::vector<std::string> args_;
  std::unique_ptr<WorkerProcess> process_;
};

}  // namespace qrfleet::testing
