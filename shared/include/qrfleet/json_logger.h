#pragma once
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace qrfleet {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
LogLevel parseLogLevel(std::string_view s);

// One JSON object per line on stdout, so log shippers need no parsing rules.
// Context fields (service, event id, topic/partition/offset...) go in `fields`.
class JsonLogger {
 public:
  JsonLogger(std::string service, LogLevel level, std::ostream& out);

  void log(LogLevel level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
  void debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { log(LogLevel::debug, m, f); }
  void info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { log(LogLevel::info, m, f); }
  void warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { log(LogLevel::warn, m, f); }
  void error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { log(LogLevel::error, m, f); }
  bool enabled(LogLevel level) const { return level >= level_; }

 private:
  std::string service_;
  LogLevel level_;
  std::ostream& out_;
  std::mutex mutex_;
};

}  // namespace qrfleet
