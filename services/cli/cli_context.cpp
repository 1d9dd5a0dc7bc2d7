#include "cli_context.h"

#include <unistd.h>

#include <cstdio>

namespace qrfleet::cli {

KafkaSettings CliContext::kafka() {
  EnvConfig c(KafkaSettings::options());
  auto s = KafkaSettings::fromConfig(c);
  c.finish();
  return s;
}

std::string CliContext::databaseUrl() {
  EnvConfig c({{"DATABASE_URL", "PostgreSQL URL", std::nullopt, true}});
  auto url = c.url("DATABASE_URL", {"postgresql", "postgres"});
  c.finish();
  return url;
}

ProgressBar::ProgressBar(std::string label, long long total)
    : label_(std::move(label)), total_(total), tty_(isatty(STDERR_FILENO) != 0) {}

void ProgressBar::update(long long done, double perSecond) {
  if (!tty_) return;
  int width = 30;
  int filled = total_ > 0 ? static_cast<int>(width * done / total_) : 0;
  std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld  %.0f/s ", label_.c_str(), filled,
               "##############################", width - filled, "", done, total_, perSecond);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace qrfleet::cli
