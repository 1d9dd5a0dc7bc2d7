#pragma once
#include <functional>
#include <string>

#include "qrfleet/outside/http_client.h"
#include "qrfleet/outside/object_store.h"

namespace qrfleet {

struct S3Settings {
  std::string endpoint;  // http(s)://host[:port], path-style addressing: <endpoint>/<bucket>/<key>
  std::string region = "us-east-1";
  std::string bucket;
  std::string accessKey;
  std::string secretKey;  // secret: never logged
  std::size_t multipartThreshold = 16 * 1024 * 1024;  // larger puts go up in parts
  std::size_t partSize = 8 * 1024 * 1024;             // S3's minimum is 5 MiB (but the last)
  std::chrono::milliseconds timeout{60000};
};

// Objects in an S3-compatible store (AWS S3, MinIO, Ceph, the Versity
// gateway), signed with SigV4 by libcurl. Requests carry x-amz-content-sha256
// (older curl does not add it and servers answer 400 without it) and an
// explicit Content-Type (curl would label a body as a form). presignGet()
// signs a query-string URL itself (curl cannot).
class S3ObjectStore : public ObjectStore {
 public:
  S3ObjectStore(S3Settings settings, HttpClient& http);

  // Creates the bucket unless it exists (deployments usually make it beforehand).
  void ensureBucket();

  void put(const std::string& key, std::string_view bytes, const std::string& contentType) override;
  void putFile(const std::string& key, const std::filesystem::path& file, const std::string& contentType) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<std::string> getRange(const std::string& key, std::uint64_t offset, std::uint64_t length) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  void remove(const std::string& key) override;
  std::string presignGet(const std::string& key, std::chrono::seconds ttl) override;

  // RFC 3986 percent-encoding as SigV4 wants it; '/' is kept only when `keepSlash`.
  static std::string uriEncode(std::string_view s, bool keepSlash);

 private:
  HttpResponse send(const std::string& method, const std::string& path, const std::string& query,
                    std::string_view body = {}, std::vector<std::pair<std::string, std::string>> headers = {});
  // Throws ObjectStoreError unless the status is one of `ok`.
  static void expect(const HttpResponse& r, std::initializer_list<long> ok, const std::string& what);
  std::string objectPath(const std::string& key) const;
  // Parts of partSize bytes from `part(offset, buffer)` (which fills the buffer
  // with up to partSize bytes from offset) until `size` bytes went up.
  void putMultipart(const std::string& key, std::uint64_t size, const std::string& contentType,
                    const std::function<void(std::uint64_t, std::string&)>& part);

  S3Settings settings_;
  HttpClient& http_;
  std::string host_;  // host[:port] as signed
};

}  // namespace qrfleet
