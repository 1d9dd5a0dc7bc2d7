#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/config.h"

namespace qrfleet::webhook {

// One webhook sender: the URL path segment POST /webhooks/<name>, the
// signature scheme, and the secrets. Secrets are never in the document: its
// secretsEnv names the variable that holds them, comma-separated (two while a
// secret is rotated: requests signed with either are accepted).
struct ProviderSettings {
  std::string name;    // [a-z0-9_-]{1,32}; also PaymentEvent::provider
  std::string scheme;  // "stripe" | "hmac-sha256"
  std::vector<std::string> secrets;
  std::int64_t toleranceSeconds = 300;  // stripe: how far the signed time may be from now
  std::string header;                   // hmac-sha256: the header holding the signature
};

using SecretLookup = std::function<std::optional<std::string>(const std::string&)>;

inline constexpr const char* kDefaultProviders = R"([{"name":"stripe","scheme":"stripe","secretsEnv":"STRIPE_WEBHOOK_SECRETS"}])";

// Parses the providers document (a JSON list of {"name", "scheme",
// "secretsEnv", "toleranceSeconds" (stripe), "header" (hmac-sha256)}); throws
// std::invalid_argument naming the provider and the field, or the secret
// variable that is not set.
std::vector<ProviderSettings> parseProviders(const std::string& json, const SecretLookup& secrets);

// WEBHOOK_PROVIDERS_FILE when set (a mounted ConfigMap), else WEBHOOK_PROVIDERS;
// problems are recorded on `config` naming the variable.
std::vector<ProviderSettings> readProviders(EnvConfig& config, const SecretLookup& secrets = EnvConfig::processEnvironment);
std::vector<ConfigOption> providerOptions();

}  // namespace qrfleet::webhook
