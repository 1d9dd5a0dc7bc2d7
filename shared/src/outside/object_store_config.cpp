#include "qrfleet/outside/object_store_config.h"

#include "qrfleet/outside/file_object_store.h"

namespace qrfleet {

std::vector<ConfigOption> objectStoreOptions() {
  return {
      {"OBJECT_STORE_URL", "where files go: file:///<directory> or s3://<bucket>", std::nullopt},
      {"S3_ENDPOINT", "S3 endpoint for s3:// (path-style), e.g. https://s3.eu-north-1.amazonaws.com", ""},
      {"S3_REGION", "S3 region for SigV4", "us-east-1"},
      {"S3_ACCESS_KEY_ID", "S3 access key", ""},
      {"S3_SECRET_ACCESS_KEY", "S3 secret key", "", true},
      {"S3_CREATE_BUCKET", "create the bucket at start if it is missing (development)", "false"},
  };
}

ObjectStoreSettings objectStoreSettings(EnvConfig& c) {
  ObjectStoreSettings s;
  s.url = c.url("OBJECT_STORE_URL", {"file", "s3"});
  auto endpoint = c.string("S3_ENDPOINT");
  auto region = c.string("S3_REGION");
  auto access = c.string("S3_ACCESS_KEY_ID");
  auto secret = c.string("S3_SECRET_ACCESS_KEY");
  s.createBucket = c.boolean("S3_CREATE_BUCKET");
  if (s.url.rfind("file://", 0) == 0) {
    s.directory = s.url.substr(7);
    if (s.directory.empty() || s.directory.front() != '/')
      c.invalid("OBJECT_STORE_URL", "a file:// store needs an absolute directory (file:///var/lib/qrfleet/objects)");
  } else if (s.url.rfind("s3://", 0) == 0) {
    S3Settings s3;
    s3.bucket = s.url.substr(5);
    if (s3.bucket.empty() || s3.bucket.find('/') != std::string::npos)
      c.invalid("OBJECT_STORE_URL", "an s3:// store names one bucket (s3://qr-codes)");
    if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0)
      c.invalid("S3_ENDPOINT", "an s3:// store needs an http(s):// endpoint");
    if (access.empty()) c.invalid("S3_ACCESS_KEY_ID", "an s3:// store needs credentials");
    if (secret.empty()) c.invalid("S3_SECRET_ACCESS_KEY", "an s3:// store needs credentials");
    s3.endpoint = endpoint;
    s3.region = region;
    s3.accessKey = access;
    s3.secretKey = secret;
    s.s3 = std::move(s3);
  }
  return s;
}

std::unique_ptr<ObjectStore> makeObjectStore(const ObjectStoreSettings& settings, HttpClient& http) {
  if (!settings.s3) return std::make_unique<FileObjectStore>(settings.directory);
  auto store = std::make_unique<S3ObjectStore>(*settings.s3, http);
  if (settings.createBucket) store->ensureBucket();
  return store;
}

}  // namespace qrfleet
