// `qrfleet healthcheck`: the container healthcheck (the runtime image has no curl).
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "commands.h"

namespace qrfleet::cli {

namespace {
// The HTTP status of GET http://host:port/path, or -1 when unreachable.
int httpStatus(const std::string& host, int port, const std::string& path) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (const addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    bool connected = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    std::string response;
    if (connected) {
      auto request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
      if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
        char buf[256];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) response.assign(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(fd);
    // "HTTP/1.1 200 OK"
    if (response.rfind("HTTP/", 0) == 0 && response.size() >= 12) return std::stoi(response.substr(9, 3));
  }
  return -1;
}
}  // namespace

void addHealthcheckCommand(CLI::App& app) {
  auto host = std::make_shared<std::string>("127.0.0.1");
  auto port = std::make_shared<int>(9400);
  auto path = std::make_shared<std::string>("/readyz");
  auto* cmd = app.add_subcommand("healthcheck", "exit 0 if a worker's health endpoint answers 200 (container healthchecks)");
  cmd->add_option("--host", *host, "worker host");
  cmd->add_option("--port", *port, "worker METRICS_PORT (default 9400, or $METRICS_PORT)")->envname("METRICS_PORT");
  cmd->add_option("--path", *path, "/readyz (assigned, stores reachable) or /healthz (loop alive)");
  cmd->callback([host, port, path] {
    int status = httpStatus(*host, *port, *path);
    std::cout << *path << " " << (status < 0 ? std::string("unreachable") : std::to_string(status)) << "\n";
    if (status != 200) throw CLI::RuntimeError(1);
  });
}

}  // namespace qrfleet::cli
