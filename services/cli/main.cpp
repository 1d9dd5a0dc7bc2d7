// qrfleet: the fleet's admin and developer CLI.
#include <iostream>

#include "commands.h"
#include "qrfleet/config.h"
#include "qrfleet/version.h"

int main(int argc, char** argv) {
  CLI::App app{"qrfleet - admin and developer tool for the qrfleet workers.\n"
               "Reads KAFKA_BROKERS (and KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_CA_LOCATION),\n"
               "and DATABASE_URL for commands that touch Postgres."};
  app.set_version_flag("--version", std::string(qrfleet::kVersion));
  app.require_subcommand(1);
  qrfleet::cli::addTopicsCommand(app);
  qrfleet::cli::addProduceCommand(app);
  qrfleet::cli::addConsumeCommand(app);
  qrfleet::cli::addGroupsCommand(app);
  qrfleet::cli::addMigrateCommand(app);
  qrfleet::cli::addLoadgenCommand(app);
  qrfleet::cli::addDlqCommand(app);
  qrfleet::cli::addReplayCommand(app);
  qrfleet::cli::addHealthcheckCommand(app);
  qrfleet::cli::addRetentionCommand(app);
  qrfleet::cli::addBulkCommand(app);
  qrfleet::cli::addNotifyCommand(app);
  qrfleet::cli::addPaymentsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const qrfleet::ConfigError& e) {
    std::cerr << "qrfleet: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "qrfleet: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
