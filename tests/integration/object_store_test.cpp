// Object storage: the S3 backend against a real S3-compatible server (the
// Versity gateway that scripts/stack starts) and the filesystem backend,
// through the same checks.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "qrfleet/event_id.h"
#include "qrfleet/outside/file_object_store.h"
#include "qrfleet/outside/s3_object_store.h"
#include "test_stack.h"

using namespace qrfleet;
using namespace qrfleet::testing;

namespace {

S3Settings stackS3(const std::string& bucket) {
  auto s = TestStack::fromEnvironment().s3(bucket);
  // Small parts, so a 12 MiB object goes up in three.
  s.multipartThreshold = 6 * 1024 * 1024;
  s.partSize = 5 * 1024 * 1024;
  return s;
}

std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// The same contract for every backend. `fetch` GETs a presigned URL without credentials.
void exercise(ObjectStore& store, const std::string& prefix, const std::function<std::string(const std::string&)>& fetch) {
  const std::string text = "hello, object storage";
  const std::string odd = prefix + "/dir one/a+b=c&d.txt";  // spaces and query characters in the key
  store.put(odd, text, "text/plain");
  CHECK(store.get(odd) == text);
  CHECK(store.getRange(odd, 7, 6) == std::string("object"));
  CHECK(store.getRange(odd, 18, 100) == std::string("age"));

  auto binary = randomBytes(256 * 1024, 1);
  store.put(prefix + "/bin/small.bin", binary, "application/octet-stream");
  CHECK(store.get(prefix + "/bin/small.bin") == binary);

  auto large = randomBytes(12 * 1024 * 1024 + 123, 2);  // multipart on S3
  store.put(prefix + "/bin/large.bin", large, "application/octet-stream");
  auto back = store.get(prefix + "/bin/large.bin");
  REQUIRE(back.has_value());
  CHECK(back->size() == large.size());
  CHECK(*back == large);
  CHECK(store.getRange(prefix + "/bin/large.bin", 5 * 1024 * 1024 - 3, 6) == large.substr(5 * 1024 * 1024 - 3, 6));

  // Files are streamed up: one above the part size but under the multipart threshold, one in parts.
  for (std::size_t size : {std::size_t(5 * 1024 * 1024 + 77), large.size()}) {
    auto file = std::filesystem::temp_directory_path() / ("qrfleet-put-" + randomUuid());
    auto bytes = size == large.size() ? large : randomBytes(size, 3);
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    auto key = prefix + "-files/" + std::to_string(size) + ".bin";
    store.putFile(key, file, "application/octet-stream");
    std::filesystem::remove(file);
    auto got = store.get(key);
    REQUIRE(got.has_value());
    CHECK(got->size() == size);
    CHECK(*got == bytes);
  }

  store.put(odd, text + " again", "text/plain");  // a put replaces
  CHECK(store.get(odd) == text + " again");

  auto all = store.list(prefix + "/");
  REQUIRE(all.size() == 3);
  CHECK(all[0].key == prefix + "/bin/large.bin");
  CHECK(all[0].size == large.size());
  CHECK(all[1].key == prefix + "/bin/small.bin");
  CHECK(all[2].key == odd);
  for (const auto& o : all) CHECK(!o.etag.empty());
  auto bins = store.list(prefix + "/bin/");
  CHECK(bins.size() == 2);
  CHECK(store.list(prefix + "/nothing-here/").empty());

  CHECK(fetch(store.presignGet(prefix + "/bin/small.bin", std::chrono::seconds(300))) == binary);
  CHECK(fetch(store.presignGet(odd, std::chrono::seconds(300))) == text + " again");

  CHECK_FALSE(store.get(prefix + "/missing").has_value());
  CHECK_FALSE(store.getRange(prefix + "/missing", 0, 10).has_value());
  store.remove(odd);
  CHECK_FALSE(store.get(odd).has_value());
  CHECK_NOTHROW(store.remove(odd));  // absent: not an error
  CHECK(store.list(prefix + "/").size() == 2);
  CHECK_THROWS_AS(store.put("../escape", "x", "text/plain"), std::invalid_argument);
  CHECK_THROWS_AS(store.get("/abs"), std::invalid_argument);
}

}  // namespace

TEST_CASE("object storage: the S3 backend against a real S3 server") {
  RuntimeMetrics metrics("object-store-test", "0");
  HttpClient http(metrics);
  auto bucket = "qrfleet-test";
  S3ObjectStore store(stackS3(bucket), http);
  store.ensureBucket();
  CHECK_NOTHROW(store.ensureBucket());  // already there
  exercise(store, "run-" + randomUuid(), [&](const std::string& url) {
    HttpRequest req;
    req.url = url;
    auto r = http.send(req);
    CHECK_MESSAGE(r.status == 200, "presigned GET answered " << r.status << ": " << r.body.substr(0, 300));
    return r.body;
  });

  // A presigned URL whose signature was tampered with is refused.
  store.put("tamper/x.txt", "x", "text/plain");
  auto url = store.presignGet("tamper/x.txt", std::chrono::seconds(300));
  url.back() = url.back() == '0' ? '1' : '0';
  HttpRequest req;
  req.url = url;
  CHECK(http.send(req).status == 403);

  // The server checks SigV4: a wrong secret is a permanent error, not a retry.
  auto wrong = stackS3(bucket);
  wrong.secretKey = "not-the-secret";
  S3ObjectStore denied(wrong, http);
  try {
    denied.get("tamper/x.txt");
    FAIL("a wrong secret was accepted");
  } catch (const ObjectStoreError& e) {
    CHECK(e.what() == doctest::Contains("HTTP 403"));
    CHECK_FALSE(e.transient());
  }

  // No server: transient.
  auto nowhere = stackS3(bucket);
  nowhere.endpoint = "http://127.0.0.1:" + std::to_string(freePort());
  S3ObjectStore unreachable(nowhere, http);
  try {
    unreachable.put("x", "y", "text/plain");
    FAIL("a put without a server succeeded");
  } catch (const ObjectStoreError& e) {
    CHECK(e.transient());
  }
}

TEST_CASE("object storage: the filesystem backend does the same") {
  auto root = std::filesystem::temp_directory_path() / ("qrfleet-objects-" + randomUuid());
  FileObjectStore store(root);
  exercise(store, "run", [](const std::string& url) {
    REQUIRE(url.rfind("file://", 0) == 0);
    std::ifstream in(url.substr(7), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  });
  std::filesystem::remove_all(root);
}
