#include <iostream>

#include "cli_context.h"
#include "commands.h"
#include "worker_binary.h"

namespace qrfleet::cli {

void addMigrateCommand(CLI::App& app) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("migrate", "apply every worker's SQL migrations (or the named ones')");
  cmd->add_option("service", *services, "services, e.g. scan-analytics (default: all installed)");
  cmd->callback([services] {
    CliContext ctx;
    ctx.databaseUrl();  // fail early, naming the variable, before starting any worker
    std::vector<WorkerBinary> binaries;
    if (services->empty()) binaries = WorkerBinary::installed();
    for (const auto& s : *services) binaries.emplace_back(s);
    if (binaries.empty()) throw std::runtime_error("no qrfleet-* worker binaries found next to qrfleet");
    for (const auto& b : binaries) {
      std::cout << "migrating " << b.name() << "\n" << std::flush;
      if (int rc = b.run({"--migrate"}, false).exitCode; rc != 0)
        throw std::runtime_error(b.name() + " --migrate exited with " + std::to_string(rc));
    }
  });
}

}  // namespace qrfleet::cli
