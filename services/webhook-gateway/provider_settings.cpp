#include "provider_settings.h"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "qrfleet/config_document_field.h"

namespace qrfleet::webhook {

namespace {

bool validProviderName(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool validHeaderName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

std::vector<std::string> secretList(const std::string& where, const std::string& variable, const SecretLookup& secrets) {
  auto value = secrets(variable);
  std::vector<std::string> out;
  std::istringstream items(value.value_or(""));
  for (std::string item; std::getline(items, item, ',');) {
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.erase(item.begin());
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t' || item.back() == '\n' || item.back() == '\r'))
      item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  if (out.empty()) throw std::invalid_argument(where + ": the secret variable " + variable + " (secretsEnv) is not set");
  return out;
}

ProviderSettings parseProvider(const nlohmann::json& e, std::size_t index, std::set<std::string>& names,
                               const SecretLookup& secrets) {
  auto where = "provider " + std::to_string(index + 1);
  if (!e.is_object()) throw std::invalid_argument(where + " must be an object");
  static const std::set<std::string> known = {"name", "scheme", "secretsEnv", "toleranceSeconds", "header"};
  for (const auto& [k, v] : e.items())
    if (!known.count(k)) throw std::invalid_argument(where + ": unknown field '" + k + "'");
  ProviderSettings p;
  p.name = documentText(e, where, "name", true);
  where += " (" + p.name + ")";
  if (!validProviderName(p.name)) throw std::invalid_argument(where + ": name must match [a-z0-9_-]{1,32}");
  if (!names.insert(p.name).second) throw std::invalid_argument(where + ": names must be unique");
  p.scheme = documentText(e, where, "scheme", true);
  if (p.scheme != "stripe" && p.scheme != "hmac-sha256")
    throw std::invalid_argument(where + ": scheme '" + p.scheme + "' is not stripe or hmac-sha256");
  auto variable = documentText(e, where, "secretsEnv", true);
  if (variable.empty()) throw std::invalid_argument(where + ": field 'secretsEnv' must name a variable");
  p.secrets = secretList(where, variable, secrets);
  bool stripe = p.scheme == "stripe";
  if (auto it = e.find("toleranceSeconds"); it != e.end()) {
    if (!stripe) throw std::invalid_argument(where + ": toleranceSeconds is only for the stripe scheme");
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 86400)
      throw std::invalid_argument(where + ": toleranceSeconds must be an integer in 1..86400");
    p.toleranceSeconds = it->get<std::int64_t>();
  }
  p.header = documentText(e, where, "header", !stripe);
  if (stripe && !p.header.empty())
    throw std::invalid_argument(where + ": header is only for hmac-sha256 (stripe's is Stripe-Signature)");
  if (!stripe && !validHeaderName(p.header))
    throw std::invalid_argument(where + ": header '" + p.header + "' is not an HTTP header name");
  return p;
}

}  // namespace

std::vector<ProviderSettings> parseProviders(const std::string& json, const SecretLookup& secrets) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("not JSON: ") + e.what());
  }
  if (!doc.is_array() || doc.empty())
    throw std::invalid_argument("must be a non-empty list of providers [{\"name\", \"scheme\", \"secretsEnv\", ...}]");
  std::vector<ProviderSettings> out;
  std::set<std::string> names;
  for (std::size_t i = 0; i < doc.size(); ++i) out.push_back(parseProvider(doc[i], i, names, secrets));
  return out;
}

std::vector<ConfigOption> providerOptions() {
  return {
      {"WEBHOOK_PROVIDERS",
       "the webhook senders as JSON [{\"name\":\"[a-z0-9_-]{1,32}\",\"scheme\":\"stripe|hmac-sha256\",\"secretsEnv\":"
       "\"VARIABLE\",\"toleranceSeconds\":300 (stripe),\"header\":\"X-Signature\" (hmac-sha256)}]; each secretsEnv "
       "names the variable holding its secrets, comma-separated",
       kDefaultProviders},
      {"WEBHOOK_PROVIDERS_FILE", "a file holding the WEBHOOK_PROVIDERS document (used instead of WEBHOOK_PROVIDERS when set)", ""},
  };
}

std::vector<ProviderSettings> readProviders(EnvConfig& config, const SecretLookup& secrets) {
  auto doc = config.document("WEBHOOK_PROVIDERS", "WEBHOOK_PROVIDERS_FILE");
  try {
    return parseProviders(doc.text, secrets);
  } catch (const std::invalid_argument& e) {
    config.invalid(doc.variable, e.what());
    return {};
  }
}

}  // namespace qrfleet::webhook
