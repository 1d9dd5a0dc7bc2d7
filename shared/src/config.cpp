#include "qrfleet/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "qrfleet/duration_text.h"

namespace qrfleet {

EnvConfig::EnvConfig(std::vector<ConfigOption> options, Lookup lookup) : lookup_(std::move(lookup)) {
  for (auto& o : options) options_.emplace(o.name, std::move(o));
}

std::optional<std::string> EnvConfig::processEnvironment(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

const ConfigOption& EnvConfig::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) throw std::logic_error("config option not declared: " + name);
  return it->second;
}

void EnvConfig::fail(const std::string& name, const std::string& problem) {
  errors_.push_back(name + ": " + problem);
}

std::optional<std::string> EnvConfig::raw(const std::string& name) {
  const auto& opt = option(name);
  auto v = lookup_(name);
  if (v && !v->empty()) return v;
  if (opt.defaultValue) return opt.defaultValue;
  fail(name, "is required but not set (" + opt.description + ")");
  return std::nullopt;
}

std::string EnvConfig::string(const std::string& name) { return raw(name).value_or(""); }

std::int64_t EnvConfig::integer(const std::string& name, std::int64_t min, std::int64_t max) {
  auto v = raw(name);
  if (!v) return min;
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    fail(name, "'" + *v + "' is not an integer");
    return min;
  }
  if (out < min || out > max) {
    fail(name, std::to_string(out) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return min;
  }
  return out;
}

std::set<std::int64_t> EnvConfig::integerSet(const std::string& name) {
  std::set<std::int64_t> out;
  auto v = raw(name).value_or("");
  std::size_t from = 0;
  while (from <= v.size() && !v.empty()) {
    auto comma = std::min(v.find(',', from), v.size());
    std::string item = v.substr(from, comma - from);
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (ec != std::errc() || ptr != item.data() + item.size()) fail(name, "'" + item + "' is not an integer");
    else out.insert(n);
    from = comma + 1;
  }
  return out;
}

std::chrono::milliseconds EnvConfig::millis(const std::string& name, std::int64_t min, std::int64_t max) {
  return std::chrono::milliseconds(integer(name, min, max));
}

std::chrono::milliseconds EnvConfig::duration(const std::string& name) {
  auto v = raw(name);
  if (!v) return {};
  try {
    return parseDuration(*v);
  } catch (const std::invalid_argument& e) {
    fail(name, e.what());
    return {};
  }
}

std::vector<std::chrono::milliseconds> EnvConfig::durations(const std::string& name) {
  auto v = raw(name);
  if (!v) return {};
  try {
    return parseDurationList(*v);
  } catch (const std::invalid_argument& e) {
    fail(name, e.what());
    return {};
  }
}

EnvConfig::Document EnvConfig::document(const std::string& name, const std::string& fileName) {
  auto file = string(fileName);
  if (file.empty()) return {string(name), name};
  std::ifstream in(file);
  if (!in) {
    fail(fileName, "cannot read " + file);
    return {"", fileName};
  }
  std::stringstream text;
  text << in.rdbuf();
  return {text.str(), fileName};
}

bool EnvConfig::boolean(const std::string& name) {
  auto v = oneOf(name, {"true", "false", "1", "0", "yes", "no"});
  return v == "true" || v == "1" || v == "yes";
}

std::string EnvConfig::oneOf(const std::string& name, const std::vector<std::string>& allowed) {
  auto v = raw(name);
  if (!v) return {};
  if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(name, "'" + *v + "' is not one of: " + list);
    return {};
  }
  return *v;
}

std::string EnvConfig::url(const std::string& name, const std::vector<std::string>& schemes) {
  auto v = raw(name);
  if (!v) return {};
  auto colon = v->find("://");
  std::string scheme = colon == std::string::npos ? "" : v->substr(0, colon);
  bool ok = std::find(schemes.begin(), schemes.end(), scheme) != schemes.end() && v->size() > colon + 3;
  if (!ok) {
    std::string list;
    for (const auto& s : schemes) list += (list.empty() ? "" : " or ") + s + "://...";
    // The value may hold a password: show it only when the option is not secret.
    fail(name, (option(name).secret ? std::string("value") : "'" + *v + "'") + " is not a URL of the form " + list);
    return {};
  }
  return *v;
}

void EnvConfig::finish() const {
  if (errors_.empty()) return;
  std::ostringstream msg;
  msg << "invalid configuration:";
  for (const auto& e : errors_) msg << "\n  " << e;
  throw ConfigError(msg.str());
}

std::string EnvConfig::helpText(const std::vector<ConfigOption>& options) {
  std::ostringstream out;
  out << "Environment variables:\n";
  for (const auto& o : options) {
    out << "  " << o.name;
    if (o.name.size() < 30) out << std::string(30 - o.name.size(), ' ');
    out << o.description;
    if (!o.defaultValue) out << " (required)";
    else if (!o.defaultValue->empty()) out << " (default: " << *o.defaultValue << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace qrfleet
