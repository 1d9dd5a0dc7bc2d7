#include "provider_settings.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "qrfleet/config_document_field.h"

namespace qrfleet::notify {

namespace {

const std::map<std::string, std::set<std::string>> kKinds = {
    {"email", {"smtp", "sendgrid"}}, {"sms", {"twilio"}}, {"push", {"fcm"}}};

std::string secret(const nlohmann::json& entry, const std::string& where, const char* field, bool required,
                   const SecretLookup& secrets) {
  auto variable = documentText(entry, where, field, required);
  if (variable.empty()) return {};
  auto value = secrets(variable);
  if (!value || value->empty())
    throw std::invalid_argument(where + ": the secret variable " + variable + " (" + field + ") is not set");
  return *value;
}

ProviderSettings parseProvider(const std::string& channel, const nlohmann::json& e, std::size_t index,
                               std::set<std::string>& names, const SecretLookup& secrets) {
  auto where = channel + " provider " + std::to_string(index + 1);
  if (!e.is_object()) throw std::invalid_argument(where + " must be an object");
  static const std::set<std::string> known = {"name", "kind", "url", "from", "user", "passwordEnv", "tokenEnv",
                                              "accountEnv", "project", "caFile", "requireTls", "batchSize",
                                              "timeoutMs", "ratePerSecond", "burst"};
  for (const auto& [k, v] : e.items())
    if (!known.count(k)) throw std::invalid_argument(where + ": unknown field '" + k + "'");
  ProviderSettings p;
  p.name = documentText(e, where, "name", true);
  where += " (" + p.name + ")";
  if (p.name.empty() || !names.insert(p.name).second)
    throw std::invalid_argument(where + ": names must be non-empty and unique");
  p.kind = documentText(e, where, "kind", true);
  if (!kKinds.at(channel).count(p.kind)) throw std::invalid_argument(where + ": kind '" + p.kind + "' is not a " + channel + " kind");
  p.url = documentText(e, where, "url", true);
  bool smtp = p.kind == "smtp";
  if (smtp ? !(p.url.starts_with("smtp://") || p.url.starts_with("smtps://"))
           : !(p.url.starts_with("http://") || p.url.starts_with("https://")))
    throw std::invalid_argument(where + ": url '" + p.url + "' must be " + (smtp ? "smtp:// or smtps://" : "http(s)://"));
  while (!smtp && p.url.ends_with("/")) p.url.pop_back();
  p.from = documentText(e, where, "from", channel != "push");
  p.user = documentText(e, where, "user", false);
  p.password = secret(e, where, "passwordEnv", smtp && !p.user.empty(), secrets);
  p.token = secret(e, where, "tokenEnv", !smtp, secrets);
  p.account = secret(e, where, "accountEnv", p.kind == "twilio", secrets);
  p.project = documentText(e, where, "project", p.kind == "fcm");
  p.caFile = documentText(e, where, "caFile", false);
  if (!p.caFile.empty() && !std::ifstream(p.caFile)) throw std::invalid_argument(where + ": caFile " + p.caFile + " cannot be read");
  if (auto it = e.find("requireTls"); it != e.end()) {
    if (!it->is_boolean()) throw std::invalid_argument(where + ": requireTls must be true or false");
    p.requireTls = it->get<bool>();
  }
  auto number = [&](const char* field, double min, double max) -> std::optional<double> {
    auto it = e.find(field);
    if (it == e.end()) return std::nullopt;
    if (!it->is_number() || it->get<double>() < min || it->get<double>() > max)
      throw std::invalid_argument(where + ": " + field + " must be a number in " + std::to_string(min) + ".." +
                                  std::to_string(max));
    return it->get<double>();
  };
  if (auto b = number("batchSize", 1, 500)) p.batchSize = static_cast<std::size_t>(*b);
  if (auto t = number("timeoutMs", 100, 120000)) p.timeout = std::chrono::milliseconds(static_cast<long>(*t));
  if (auto r = number("ratePerSecond", 0.001, 1e6)) p.rate = RedisRateLimiter::Limit{*r, number("burst", 1, 1e6).value_or(*r)};
  return p;
}

}  // namespace

HttpRequest providerPost(const ProviderSettings& p, const std::string& path) {
  HttpRequest req;
  req.method = "POST";
  req.url = p.url + path;
  req.target = p.name;
  req.connectTimeout = std::min(p.timeout, std::chrono::milliseconds(3000));
  req.totalTimeout = p.timeout;
  req.caFile = p.caFile;
  return req;
}

const std::vector<ProviderSettings>& ChannelProviders::of(const std::string& channel) const {
  if (channel == "email") return email;
  if (channel == "sms") return sms;
  if (channel == "push") return push;
  throw std::logic_error("channel " + channel + " has no providers");
}

ChannelProviders parseProviders(const std::string& json, const SecretLookup& secrets) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object()) throw std::invalid_argument("must be an object with email, sms and push lists");
  ChannelProviders out;
  std::set<std::string> names;
  for (const auto& [channel, list] : doc.items()) {
    if (!kKinds.count(channel)) throw std::invalid_argument("unknown channel '" + channel + "' (email, sms, push)");
    if (!list.is_array()) throw std::invalid_argument(channel + " must be a list of providers");
    auto& into = channel == "email" ? out.email : channel == "sms" ? out.sms : out.push;
    for (std::size_t i = 0; i < list.size(); ++i) into.push_back(parseProvider(channel, list[i], i, names, secrets));
  }
  return out;
}

std::vector<ConfigOption> providerOptions() {
  return {
      {"NOTIFY_PROVIDERS",
       "the providers of each channel in failover order, as JSON {\"email\":[{\"name\",\"kind\":\"smtp|sendgrid\",\"url\","
       "\"from\",\"user\",\"passwordEnv\",\"tokenEnv\",...}],\"sms\":[{\"kind\":\"twilio\",...}],\"push\":[{\"kind\":\"fcm\","
       "\"project\",...}]}; secrets are named by *Env fields and read from those variables",
       ""},
      {"NOTIFY_PROVIDERS_FILE", "a file holding the NOTIFY_PROVIDERS document (used instead of NOTIFY_PROVIDERS when set)", ""},
  };
}

ChannelProviders readProviders(EnvConfig& config) {
  auto doc = config.document("NOTIFY_PROVIDERS", "NOTIFY_PROVIDERS_FILE");
  if (doc.text.empty()) {
    if (doc.variable == "NOTIFY_PROVIDERS")
      config.invalid("NOTIFY_PROVIDERS", "set it (or NOTIFY_PROVIDERS_FILE): no channel has a provider");
    return {};
  }
  try {
    return parseProviders(doc.text, EnvConfig::processEnvironment);
  } catch (const std::invalid_argument& e) {
    config.invalid(doc.variable, e.what());
    return {};
  }
}

}  // namespace qrfleet::notify
