#include "qrfleet/json_logger.h"

#include "qrfleet/time_format.h"

namespace qrfleet {

LogLevel parseLogLevel(std::string_view s) {
  if (s == "debug") return LogLevel::debug;
  if (s == "warn") return LogLevel::warn;
  if (s == "error") return LogLevel::error;
  return LogLevel::info;
}

JsonLogger::JsonLogger(std::string service, LogLevel level, std::ostream& out)
    : service_(std::move(service)), level_(level), out_(out) {}

void JsonLogger::log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  static constexpr const char* names[] = {"debug", "info", "warn", "error"};
  nlohmann::json line = {{"ts", formatRfc3339Millis(nowMillis())},
                         {"level", names[static_cast<int>(level)]},
                         {"service", service_},
                         {"msg", message}};
  if (fields.is_object()) line.update(fields);
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  out_ << text << '\n' << std::flush;
}

}  // namespace qrfleet
