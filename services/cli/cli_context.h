#pragma once
#include <optional>
#include <string>

#include "qrfleet/config.h"
#include "qrfleet/kafka/kafka_settings.h"

namespace qrfleet::cli {

// Connection settings the subcommands read from the same environment
// variables as the workers, validated on first use.
class CliContext {
 public:
  KafkaSettings kafka();
  std::string databaseUrl();
};

// A one-line progress bar on stderr when it is a terminal; silent otherwise.
class ProgressBar {
 public:
  ProgressBar(std::string label, long long total);
  void update(long long done, double perSecond);
  void finish();

 private:
  std::string label_;
  long long total_;
  bool tty_;
};

}  // namespace qrfleet::cli
