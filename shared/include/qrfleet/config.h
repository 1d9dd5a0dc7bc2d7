#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qrfleet {

// Raised when the environment holds a missing or bad value. The message always
// names the variable, because that is what an operator has to fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One environment variable a program understands. Declared up front so that
// `--help` can list every variable without reading any of them.
struct ConfigOption {
  std::string name;
  std::string description;
  std::optional<std::string> defaultValue;  // nullopt = required
  bool secret = false;                       // never echoed in logs or errors
};

// Reads declared options from the environment and collects every problem, so a
// misconfigured deployment learns all its mistakes in one start attempt.
class EnvConfig {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;

  explicit EnvConfig(std::vector<ConfigOption> options, Lookup lookup = processEnvironment);

  std::string string(const std::string& name);
  std::int64_t integer(const std::string& name, std::int64_t min, std::int64_t max);
  // A comma-separated list of integers ("" is none); each must parse.
  std::set<std::int64_t> integerSet(const std::string& name);
  std::chrono::milliseconds millis(const std::string& name, std::int64_t min, std::int64_t max);
  // A duration with its unit, s, m, h or d ("90s", "3d"; see duration_text.h),
  // and a comma-separated list of them ("1d,3d,5d").
  std::chrono::milliseconds duration(const std::string& name);
  std::vector<std::chrono::milliseconds> durations(const std::string& name);
  bool boolean(const std::string& name);
  // A value that must be one of `allowed`.
  std::string oneOf(const std::string& name, const std::vector<std::string>& allowed);
  // A URL whose scheme is one of `schemes` (e.g. postgresql, redis).
  std::string url(const std::string& name, const std::vector<std::string>& schemes);

  // A document (JSON, YAML) given inline in `name` or as a file named by
  // `fileName` (mounted secrets and config maps); the file wins when set.
  // `variable` is the one it came from: name it in errors about the content.
  struct Document {
    std::string text;
    std::string variable;
  };
  Document document(const std::string& name, const std::string& fileName);

  // Records a problem found while using a value (e.g. a file it names cannot be opened).
  void invalid(const std::string& name, const std::string& problem) { fail(name, problem); }

  // Throws ConfigError listing every problem found by the reads above.
  void finish() const;

  // `--help` text: every option, its default, and what it does.
  static std::string helpText(const std::vector<ConfigOption>& options);

  static std::optional<std::string> processEnvironment(const std::string& name);

 private:
  const ConfigOption& option(const std::string& name) const;
  std::optional<std::string> raw(const std::string& name);
  void fail(const std::string& name, const std::string& problem);

  std::map<std::string, ConfigOption> options_;
  Lookup lookup_;
  std::vector<std::string> errors_;
};

}  // namespace qrfleet
