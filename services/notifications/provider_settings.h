#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "qrfleet/config.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/redis_rate_limiter.h"

namespace qrfleet::notify {

// One provider of a channel. Kinds and the API shape each speaks:
//   email: smtp (smtp:// STARTTLS, smtps://), sendgrid (POST /v3/mail/send)
//   sms:   twilio (POST /2010-04-01/Accounts/<account>/Messages.json, form body, basic auth)
//   push:  fcm (FCM HTTP v1: messages:send, and messages:sendEach for fan-outs)
// Secrets are never in the file: each names the environment variable that
// holds it (passwordEnv, tokenEnv), so they come from the deployment's secrets.
struct ProviderSettings {
  std::string name;
  std::string kind;
  std::string url;
  std::string from;     // sender address (email) or number (sms)
  std::string user;     // smtp AUTH user
  std::string password; // smtp AUTH password
  std::string token;    // bearer token (sendgrid, fcm) or auth token (twilio)
  std::string account;  // twilio account sid
  std::string project;  // fcm project id
  std::string caFile;
  bool requireTls = true;  // smtp: STARTTLS required
  std::size_t batchSize = 500;  // fcm: messages per sendEach call
  std::chrono::milliseconds timeout{10000};
  std::optional<RedisRateLimiter::Limit> rate;  // across every replica
};

// A POST to the provider's API at `path`: its URL, metrics target, timeouts and CA.
HttpRequest providerPost(const ProviderSettings& provider, const std::string& path);

// The providers of each channel, in failover order.
struct ChannelProviders {
  std::vector<ProviderSettings> email;
  std::vector<ProviderSettings> sms;
  std::vector<ProviderSettings> push;
  const std::vector<ProviderSettings>& of(const std::string& channel) const;
};

using SecretLookup = std::function<std::optional<std::string>(const std::string&)>;

// Parses the providers document (JSON: {"email": [...], "sms": [...],
// "push": [...]}, each entry {"name", "kind", "url", ...}); throws
// std::invalid_argument saying which provider and field is wrong, or which
// secret variable is not set.
ChannelProviders parseProviders(const std::string& json, const SecretLookup& secrets);

// NOTIFY_PROVIDERS (the document itself) or NOTIFY_PROVIDERS_FILE (a path to
// it, e.g. a mounted ConfigMap); problems are recorded on `config` naming the variable.
ChannelProviders readProviders(EnvConfig& config);
std::vector<ConfigOption> providerOptions();

}  // namespace qrfleet::notify
