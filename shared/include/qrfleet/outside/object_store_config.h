#pragma once
#include <memory>
#include <string>
#include <vector>

#include "qrfleet/config.h"
#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/object_store.h"
#include "qrfleet/outside/s3_object_store.h"

namespace qrfleet {

// Where a worker keeps its files, from the environment: OBJECT_STORE_URL is
// file:///<directory> (one host: development, `scripts/run`) or s3://<bucket>
// with S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.
// A worker that stores files adds objectStoreOptions() to its options.
struct ObjectStoreSettings {
  std::string url;          // as given, for logs
  std::string directory;    // file://
  std::optional<S3Settings> s3;
  bool createBucket = false;
};

std::vector<ConfigOption> objectStoreOptions();
// Reads and checks the variables above (problems are recorded in `config`).
ObjectStoreSettings objectStoreSettings(EnvConfig& config);
std::unique_ptr<ObjectStore> makeObjectStore(const ObjectStoreSettings& settings, HttpClient& http);

}  // namespace qrfleet
