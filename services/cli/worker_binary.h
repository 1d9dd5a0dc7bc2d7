#pragma once
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qrfleet::cli {

// A qrfleet-<service> executable installed next to the CLI. Each worker owns
// its migrations and replay steps (compiled into it); the CLI runs them
// rather than linking every service's code.
class WorkerBinary {
 public:
  // Throws when qrfleet-<service> is not next to qrfleet.
  explicit WorkerBinary(const std::string& service);
  explicit WorkerBinary(std::filesystem::path path) : path_(std::move(path)) {}
  // Every installed worker: not the test ones, and not the gateways
  // (qrfleet-*-gateway: HTTP servers with no schema, no routes, no migrations).
  static std::vector<WorkerBinary> installed();

  struct Result {
    int exitCode;
    std::string output;  // stdout, when captured
  };
  // Runs it to the end; stderr passes through; stdout is captured or passed through.
  Result run(const std::vector<std::string>& args, bool captureStdout,
             const std::map<std::string, std::string>& env = {}) const;
  // Starts it without waiting; stdout and stderr pass through.
  pid_t start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) const;
  // Exit code of a started worker, 128+signal if killed; nullopt while it runs (with block = false).
  static std::optional<int> exitCode(pid_t pid, bool block);
  std::string name() const { return path_.filename().string(); }

 private:
  pid_t launch(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
               const int* stdoutPipe) const;
  std::filesystem::path path_;
};

}  // namespace qrfleet::cli
