#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli_context.h"
#include "commands.h"

namespace qrfleet::cli {

namespace fs = std::filesystem;

namespace {
// Each worker owns its migrations (compiled into it); the CLI runs
// `qrfleet-<service> --migrate` for the workers installed beside it rather
// than linking every service's code.
int runMigrate(const fs::path& binary) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::string path = binary.string();
    char* argv[] = {path.data(), const_cast<char*>("--migrate"), nullptr};
    execv(path.c_str(), argv);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
}  // namespace

void addMigrateCommand(CLI::App& app) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("migrate", "apply every worker's SQL migrations (or the named ones')");
  cmd->add_option("service", *services, "services, e.g. scan-analytics (default: all installed)");
  cmd->callback([services] {
    CliContext ctx;
    ctx.databaseUrl();  // fail early, naming the variable, before starting any worker
    auto dir = fs::read_symlink("/proc/self/exe").parent_path();
    std::vector<fs::path> binaries;
    if (services->empty()) {
      for (const auto& e : fs::directory_iterator(dir)) {
        auto name = e.path().filename().string();
        if (name.rfind("qrfleet-", 0) == 0 && e.is_regular_file() && access(e.path().c_str(), X_OK) == 0 &&
            name.find("test") == std::string::npos)
          binaries.push_back(e.path());
      }
    }
    for (const auto& s : *services) {
      fs::path candidate = dir / ("qrfleet-" + s);
      if (!fs::exists(candidate)) throw std::runtime_error("no worker binary qrfleet-" + s + " next to qrfleet");
      binaries.push_back(candidate);
    }
    if (binaries.empty()) throw std::runtime_error("no qrfleet-* worker binaries found in " + dir.string());
    for (const auto& b : binaries) {
      std::cout << "migrating " << b.filename().string() << "\n" << std::flush;
      if (int rc = runMigrate(b); rc != 0)
        throw std::runtime_error(b.filename().string() + " --migrate exited with " + std::to_string(rc));
    }
  });
}

}  // namespace qrfleet::cli
