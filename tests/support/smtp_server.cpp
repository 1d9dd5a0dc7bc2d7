#include "smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace qrfleet::testing {

namespace {

// The interpreter that has python3-aiosmtpd: Debian's, unless QRFLEET_PYTHON names
// another. Not "python3" from PATH: WorkerProcess does not search it, and the first
// python3 there (pyenv's, say) may not have the module.
std::string python() {
  const char* p = std::getenv("QRFLEET_PYTHON");
  return p != nullptr && *p != '\0' ? p : "/usr/bin/python3";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool acceptsConnections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The script writes null for a header or part the message lacks.
std::string stringField(const nlohmann::json& record, const char* field) {
  auto it = record.find(field);
  return it != record.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

SmtpServer::SmtpServer(const std::string& name, const std::string& user, const std::string& password,
                       std::vector<std::string> extraArgs)
    : port_(freePort()), user_(user), password_(password) {
  auto base = std::string(QRFLEET_TEST_LOG_DIR) + "/smtp-" + name;
  certFile_ = base + ".crt";
  keyFile_ = base + ".key";
  messagesFile_ = base + ".messages.jsonl";
  processLog_ = base + ".log";
  // A fresh certificate and message log for each server: nothing left from an earlier run counts.
  for (const auto& f : {certFile_, keyFile_, messagesFile_}) std::filesystem::remove(f);
  auto script = std::string(QRFLEET_SOURCE_DIR) + "/tests/smtp/smtp_server.py";
  args_ = {script, "--port", std::to_string(port_), "--cert", certFile_, "--key", keyFile_,
           "--user", user_, "--password", password_, "--log", messagesFile_};
  for (auto& a : extraArgs) args_.push_back(std::move(a));
  if (access(python().c_str(), X_OK) != 0)
    throw std::runtime_error("no Python at " + python() +
                             " for tests/smtp/smtp_server.py (install python3-aiosmtpd, or set QRFLEET_PYTHON)");
  launch();
}

SmtpServer::~SmtpServer() {
  if (process_ && process_->running()) {
    process_->kill(SIGTERM);
    process_->wait(std::chrono::seconds(5));
  }
  // ~WorkerProcess SIGKILLs one that is still there.
}

void SmtpServer::launch() {
  // The process log is appended to across restarts: only what this start writes counts.
  auto offset = readFile(processLog_).size();
  process_ = std::make_unique<WorkerProcess>(python(), std::map<std::string, std::string>{}, processLog_, args_);
  bool exited = false;
  bool up = waitUntil(
      [&] {
        if (!process_->running()) {
          exited = true;
          return true;
        }
        return readFile(processLog_).find("listening", offset) != std::string::npos && acceptsConnections(port_);
      },
      std::chrono::seconds(15), std::chrono::milliseconds(50));
  if (up && !exited) return;
  auto said = readFile(processLog_).substr(offset);
  process_.reset();
  throw std::runtime_error("tests/smtp/smtp_server.py " +
                           std::string(exited ? "exited" : "did not listen within 15 s") + " on port " +
                           std::to_string(port_) + " (" + python() + "); its log " + processLog_ + ":\n" + said);
}

void SmtpServer::start() {
  if (process_ && process_->running()) return;
  launch();
}

void SmtpServer::stop() {
  if (!process_) return;
  process_->kill(SIGTERM);
  int code = process_->wait(std::chrono::seconds(10));
  if (code == -1) throw std::runtime_error("the SMTP server on port " + std::to_string(port_) +
                                           " did not exit within 10 s of SIGTERM (log: " + processLog_ + ")");
  process_.reset();
  if (code != 0)
    throw std::runtime_error("the SMTP server on port " + std::to_string(port_) + " exited with " +
                             std::to_string(code) + " (log: " + processLog_ + ")");
}

std::vector<SmtpServer::Message> SmtpServer::messages() const {
  std::vector<Message> out;
  std::istringstream lines(readFile(messagesFile_));
  for (std::string line; std::getline(lines, line);) {
    if (lines.eof()) break;  // no newline yet: a line still being written
    auto r = nlohmann::json::parse(line);
    Message m;
    m.at = r.at("at").get<double>();
    m.mailFrom = stringField(r, "mailFrom");
    for (const auto& rcpt : r.at("rcptTos")) m.rcptTos.push_back(rcpt.get<std::string>());
    m.messageId = stringField(r, "messageId");
    m.idempotencyKey = stringField(r, "idempotencyKey");
    m.subject = stringField(r, "subject");
    m.text = stringField(r, "text");
    m.html = stringField(r, "html");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace qrfleet::testing
