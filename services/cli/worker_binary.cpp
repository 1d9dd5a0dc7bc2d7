#include "worker_binary.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace qrfleet::cli {

namespace fs = std::filesystem;

namespace {
fs::path cliDirectory() { return fs::read_symlink("/proc/self/exe").parent_path(); }
}  // namespace

WorkerBinary::WorkerBinary(const std::string& service) : path_(cliDirectory() / ("qrfleet-" + service)) {
  if (!fs::exists(path_)) throw std::runtime_error("no worker binary qrfleet-" + service + " next to qrfleet");
}

std::vector<WorkerBinary> WorkerBinary::installed() {
  std::vector<WorkerBinary> out;
  for (const auto& e : fs::directory_iterator(cliDirectory())) {
    auto name = e.path().filename().string();
    if (name.rfind("qrfleet-", 0) == 0 && e.is_regular_file() && access(e.path().c_str(), X_OK) == 0 &&
        name.find("test") == std::string::npos && !name.ends_with("-gateway"))
      out.emplace_back(e.path());
  }
  return out;
}

pid_t WorkerBinary::start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) const {
  return launch(args, env, nullptr);
}

std::optional<int> WorkerBinary::exitCode(pid_t pid, bool block) {
  int status = 0;
  pid_t r = waitpid(pid, &status, block ? 0 : WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0) throw std::runtime_error("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

WorkerBinary::Result WorkerBinary::run(const std::vector<std::string>& args, bool captureStdout,
                                       const std::map<std::string, std::string>& env) const {
  int fds[2] = {-1, -1};
  if (captureStdout && pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = launch(args, env, captureStdout ? fds : nullptr);
  Result result{0, {}};
  if (captureStdout) {
    close(fds[1]);
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) result.output.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
  }
  result.exitCode = *exitCode(pid, true);
  return result;
}

pid_t WorkerBinary::launch(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                           const int* stdoutPipe) const {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (stdoutPipe) {
      dup2(stdoutPipe[1], STDOUT_FILENO);
      close(stdoutPipe[0]);
      close(stdoutPipe[1]);
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::string path = path_.string();
    std::vector<std::string> storage = args;
    std::vector<char*> argv{path.data()};
    for (auto& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace qrfleet::cli
