#include <doctest/doctest.h>

#include <openssl/hmac.h>

#include "qrfleet/hex.h"
#include "scan_enricher.h"

using namespace qrfleet::scan;

TEST_CASE("referrer host is the lower-cased host without www") {
  CHECK(ScanEnricher::referrerHost(std::nullopt) == "direct");
  CHECK(ScanEnricher::referrerHost("https://www.Instagram.com/p/abc") == "instagram.com");
  CHECK(ScanEnricher::referrerHost("http://user:pw@news.example.org:8080/a?b") == "news.example.org");
  CHECK(ScanEnricher::referrerHost("https://t.co") == "t.co");
  CHECK(ScanEnricher::referrerHost("android-app://com.google.android.gm/") == "com.google.android.gm");
}

TEST_CASE("visitor ids hash ip and user agent with the salt, never expose the ip") {
  VisitorId a("salt-a"), b("salt-b");
  auto id = a.of("203.0.113.7", "UA");
  CHECK(id.size() == 32);
  CHECK(id == a.of("203.0.113.7", "UA"));
  CHECK(id != a.of("203.0.113.8", "UA"));
  CHECK(id != a.of("203.0.113.7", "UA2"));
  CHECK(id != b.of("203.0.113.7", "UA"));
  CHECK(id.find("203") == std::string::npos);
  // The separator keeps (ip, ua) pairs distinct when concatenations coincide.
  CHECK(a.of("1.2.3.4", "5x") != a.of("1.2.3.45", "x"));
}

TEST_CASE("country: payload first, then the offline database, else unknown") {
  CountryResolver geo("/usr/share/GeoIP/GeoIP.dat", "/usr/share/GeoIP/GeoIPv6.dat");
  CHECK(geo.resolve(std::string("DE"), "8.8.8.8") == "DE");
  CHECK(geo.resolve(std::nullopt, "8.8.8.8") == "US");
  CHECK(geo.resolve(std::nullopt, "10.1.2.3") == "unknown");
  CHECK(geo.resolve(std::nullopt, "2001:4860:4860::8888") == "US");
  CountryResolver none("", "");
  CHECK(none.resolve(std::nullopt, "8.8.8.8") == "unknown");
  CHECK_THROWS(CountryResolver("/nonexistent/GeoIP.dat", ""));
}

TEST_CASE("enrichment buckets scannedAt into UTC day, hour and minute") {
  ScanEnricher e(CountryResolver("", ""), VisitorId("s"));
  qrfleet::events::ScanRecorded s;
  s.qrCodeId = "q";
  s.ownerId = "o";
  s.scannedAtMs = 1795342530123;  // 2026-11-22T10:15:30.123Z
  s.ip = "203.0.113.7";
  s.userAgent = "curl/8.0";
  auto f = e.enrich(s);
  CHECK(f.day == "2026-11-22");
  CHECK(f.hour == "2026-11-22T10:00:00.000Z");
  CHECK(f.minute == "2026-11-22T10:15:00.000Z");
  CHECK(f.agent.isBot());
  CHECK(f.country == "unknown");
  CHECK(f.referrerHost == "direct");
}

TEST_CASE("visitor ids are HMAC-SHA256 (first 128 bits), for short and long salts") {
  auto reference = [](const std::string& salt, const std::string& input) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return qrfleet::toHex(mac, 16);
  };
  for (const std::string& salt : {std::string("qrfleet-visitor-v1"), std::string(), std::string(64, 'k'), std::string(200, 'x')}) {
    VisitorId ids(salt);
    CHECK(ids.of("203.0.113.7", "Mozilla/5.0") == reference(salt, "203.0.113.7\nMozilla/5.0"));
    CHECK(ids.of("2001:db8::1", "") == reference(salt, "2001:db8::1\n"));
  }
}
