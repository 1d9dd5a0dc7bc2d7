#pragma once
#include <CLI/CLI.hpp>

namespace qrfleet::cli {

// Each adds its subcommand (and its callback) to the app.
void addTopicsCommand(CLI::App& app);
void addProduceCommand(CLI::App& app);
void addConsumeCommand(CLI::App& app);
void addGroupsCommand(CLI::App& app);
void addMigrateCommand(CLI::App& app);
void addLoadgenCommand(CLI::App& app);
void addDlqCommand(CLI::App& app);
void addReplayCommand(CLI::App& app);
void addHealthcheckCommand(CLI::App& app);
void addRetentionCommand(CLI::App& app);
void addBulkCommand(CLI::App& app);
void addNotifyCommand(CLI::App& app);
void addPaymentsCommand(CLI::App& app);

}  // namespace qrfleet::cli
