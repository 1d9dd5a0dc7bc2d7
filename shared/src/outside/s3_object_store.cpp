#include "qrfleet/outside/s3_object_store.h"

#include <fstream>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <ctime>

#include "qrfleet/hex.h"
#include "qrfleet/sha256.h"

namespace qrfleet {

namespace {

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &n);
  return std::string(reinterpret_cast<const char*>(md), n);
}

std::string xmlUnescape(std::string s) {
  static const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&apos;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) s.replace(at, std::strlen(from), to);
  return s;
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The text of the first <tag>...</tag> at or after `from`; `end` is set past it.
std::optional<std::string> xmlText(const std::string& xml, const std::string& tag, std::size_t from = 0,
                                   std::size_t* end = nullptr) {
  auto open = xml.find("<" + tag + ">", from);
  if (open == std::string::npos) return std::nullopt;
  auto start = open + tag.size() + 2;
  auto close = xml.find("</" + tag + ">", start);
  if (close == std::string::npos) return std::nullopt;
  if (end) *end = close + tag.size() + 3;
  return xmlUnescape(xml.substr(start, close - start));
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::string amzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

S3ObjectStore::S3ObjectStore(S3Settings settings, HttpClient& http) : settings_(std::move(settings)), http_(http) {
  auto scheme = settings_.endpoint.find("://");
  if (scheme == std::string::npos) throw std::invalid_argument("S3 endpoint needs a scheme: " + settings_.endpoint);
  while (!settings_.endpoint.empty() && settings_.endpoint.back() == '/') settings_.endpoint.pop_back();
  host_ = settings_.endpoint.substr(scheme + 3);
  host_ = host_.substr(0, host_.find('/'));
  // Signed as curl sends it: without a default port.
  bool https = settings_.endpoint.rfind("https", 0) == 0;
  for (const char* port : {https ? ":443" : ":80"})
    if (host_.size() > std::strlen(port) && host_.ends_with(port)) host_.resize(host_.size() - std::strlen(port));
  if (settings_.partSize < 5 * 1024 * 1024) throw std::invalid_argument("S3 part size must be at least 5 MiB");
}

std::string S3ObjectStore::uriEncode(std::string_view s, bool keepSlash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string S3ObjectStore::objectPath(const std::string& key) const {
  checkObjectKey(key);
  return "/" + settings_.bucket + "/" + uriEncode(key, true);
}

HttpResponse S3ObjectStore::send(const std::string& method, const std::string& path, const std::string& query,
                                 std::string_view body, std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest req;
  req.method = method;
  req.url = settings_.endpoint + path + (query.empty() ? "" : "?" + query);
  req.body = std::string(body);
  req.target = "s3";
  req.totalTimeout = settings_.timeout;
  req.headers = std::move(headers);
  req.headers.emplace_back("x-amz-content-sha256", sha256Hex(body));
  req.sigv4 = AwsSigning{"aws:amz:" + settings_.region + ":s3", settings_.accessKey, settings_.secretKey};
  return http_.send(req);
}

void S3ObjectStore::expect(const HttpResponse& r, std::initializer_list<long> ok, const std::string& what) {
  if (r.failure != HttpResponse::Failure::none) throw ObjectStoreError("S3 " + what + ": " + r.error, true);
  for (long s : ok)
    if (r.status == s) return;
  auto code = xmlText(r.body, "Code").value_or("");
  bool transient = r.status >= 500 || r.status == 429 || r.status == 408 || code == "SlowDown";
  throw ObjectStoreError("S3 " + what + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code),
                         transient);
}

void S3ObjectStore::ensureBucket() {
  auto r = send("PUT", "/" + settings_.bucket, "", {}, {{"Content-Type", "application/xml"}});
  if (r.status == 409) {
    // Exists: ours if our credentials can read it (BucketAlreadyExists may be someone else's).
    expect(send("HEAD", "/" + settings_.bucket, ""), {200}, "bucket " + settings_.bucket + " exists but");
    return;
  }
  expect(r, {200}, "create bucket " + settings_.bucket);
}

void S3ObjectStore::put(const std::string& key, std::string_view bytes, const std::string& contentType) {
  if (bytes.size() > settings_.multipartThreshold)
    return putMultipart(key, bytes.size(), contentType, [&](std::uint64_t at, std::string& buffer) {
      buffer.assign(bytes.substr(at, settings_.partSize));
    });
  auto r = send("PUT", objectPath(key), "", bytes, {{"Content-Type", contentType}});
  expect(r, {200}, "PUT " + key);
}

void S3ObjectStore::putFile(const std::string& key, const std::filesystem::path& file, const std::string& contentType) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (ec || !in) throw ObjectStoreError("cannot read " + file.string() + " to put it as " + key, false);
  auto read = [&](std::uint64_t at, std::uint64_t length, std::string& buffer) {
    buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(length, size - at)));
    in.seekg(static_cast<std::streamoff>(at));
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (!in) throw ObjectStoreError("cannot read " + file.string() + " to put it as " + key, false);
  };
  if (size > settings_.multipartThreshold)
    return putMultipart(key, size, contentType,
                        [&](std::uint64_t at, std::string& buffer) { read(at, settings_.partSize, buffer); });
  std::string bytes;
  read(0, size, bytes);
  put(key, bytes, contentType);
}

void S3ObjectStore::putMultipart(const std::string& key, std::uint64_t size, const std::string& contentType,
                                 const std::function<void(std::uint64_t, std::string&)>& readPart) {
  auto path = objectPath(key);
  auto started = send("POST", path, "uploads=", {}, {{"Content-Type", contentType}});
  expect(started, {200}, "start multipart upload of " + key);
  auto uploadId = xmlText(started.body, "UploadId");
  if (!uploadId) throw ObjectStoreError("S3 start multipart upload of " + key + ": no UploadId in the answer", true);
  auto idQuery = "uploadId=" + uriEncode(*uploadId, false);
  try {
    std::string complete = "<CompleteMultipartUpload>";
    int part = 0;
    std::string chunk;
    for (std::uint64_t at = 0; at < size; at += settings_.partSize) {
      ++part;
      readPart(at, chunk);
      auto r = send("PUT", path, "partNumber=" + std::to_string(part) + "&" + idQuery, chunk,
                    {{"Content-Type", "application/octet-stream"}});
      expect(r, {200}, "PUT part " + std::to_string(part) + " of " + key);
      complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" + xmlEscape(r.header("etag")) +
                  "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    auto done = send("POST", path, idQuery, complete, {{"Content-Type", "application/xml"}});
    expect(done, {200}, "complete multipart upload of " + key);
    // S3 may answer 200 and put the failure in the body.
    if (done.body.find("<Error>") != std::string::npos)
      throw ObjectStoreError("S3 complete multipart upload of " + key + ": " + xmlText(done.body, "Code").value_or("error"),
                             true);
  } catch (...) {
    // Parts of an abandoned upload are kept (and billed) until aborted.
    send("DELETE", path, idQuery);
    throw;
  }
}

std::optional<std::string> S3ObjectStore::get(const std::string& key) {
  auto r = send("GET", objectPath(key), "");
  if (r.status == 404) return std::nullopt;
  expect(r, {200}, "GET " + key);
  return std::move(r.body);
}

std::optional<std::string> S3ObjectStore::getRange(const std::string& key, std::uint64_t offset,
                                                   std::uint64_t length) {
  if (length == 0) return get(key).has_value() ? std::optional<std::string>("") : std::nullopt;
  auto r = send("GET", objectPath(key), "",
                {}, {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}});
  if (r.status == 404) return std::nullopt;
  if (r.status == 416) return std::string();  // the range starts past the end
  expect(r, {206, 200}, "GET range of " + key);
  if (r.status == 200) return r.body.substr(std::min<std::size_t>(offset, r.body.size()), length);
  return std::move(r.body);
}

std::vector<ObjectInfo> S3ObjectStore::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    // Parameters in code-point order, values fully encoded ('/' too): the canonical query SigV4 signs.
    std::string query = token.empty() ? "" : "continuation-token=" + uriEncode(token, false) + "&";
    query += "list-type=2&prefix=" + uriEncode(prefix, false);
    auto r = send("GET", "/" + settings_.bucket, query);
    expect(r, {200}, "list " + prefix);
    std::size_t at = 0;
    while (auto contents = xmlText(r.body, "Contents", at, &at)) {
      ObjectInfo info;
      info.key = xmlText(*contents, "Key").value_or("");
      info.size = std::stoull(xmlText(*contents, "Size").value_or("0"));
      info.etag = unquote(xmlText(*contents, "ETag").value_or(""));
      out.push_back(std::move(info));
    }
    if (xmlText(r.body, "IsTruncated").value_or("false") != "true") break;
    auto next = xmlText(r.body, "NextContinuationToken");
    if (!next || next->empty()) break;
    token = *next;
  }
  return out;
}

void S3ObjectStore::remove(const std::string& key) {
  auto r = send("DELETE", objectPath(key), "");
  expect(r, {204, 200, 404}, "DELETE " + key);
}

std::string S3ObjectStore::presignGet(const std::string& key, std::chrono::seconds ttl) {
  if (ttl.count() < 1 || ttl.count() > 604800)
    throw std::invalid_argument("a presigned URL lives 1 s to 7 days (SigV4's limit)");
  auto path = objectPath(key);
  auto stamp = amzDate(std::time(nullptr));
  auto day = stamp.substr(0, 8);
  auto scope = day + "/" + settings_.region + "/s3/aws4_request";
  std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
                      uriEncode(settings_.accessKey + "/" + scope, false) + "&X-Amz-Date=" + stamp +
                      "&X-Amz-Expires=" + std::to_string(ttl.count()) + "&X-Amz-SignedHeaders=host";
  auto canonical = "GET\n" + path + "\n" + query + "\nhost:" + host_ + "\n\nhost\nUNSIGNED-PAYLOAD";
  auto toSign = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + sha256Hex(canonical);
  auto kDate = hmacSha256("AWS4" + settings_.secretKey, day);
  auto kRegion = hmacSha256(kDate, settings_.region);
  auto kService = hmacSha256(kRegion, "s3");
  auto kSigning = hmacSha256(kService, "aws4_request");
  auto sig = hmacSha256(kSigning, toSign);
  return settings_.endpoint + path + "?" + query + "&X-Amz-Signature=" +
         toHex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

}  // namespace qrfleet
