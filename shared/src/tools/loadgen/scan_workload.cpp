#include "qrfleet/tools/loadgen/scan_workload.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "qrfleet/event_id.h"
#include "qrfleet/events/scan_recorded.h"
#include "qrfleet/time_format.h"

namespace qrfleet::loadgen {

namespace {
constexpr std::string_view kNamespace = "3d5c9b0a-8f41-4e6a-b2d7-51c0e9f8a7b6";

constexpr std::array kBrowsers = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.0.28.110 (iPhone15,2; iOS 17_0; en_US)",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
};
constexpr std::array kBots = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "WhatsApp/2.23.20.0 A preview",
    "curl/8.4.0",
    "python-requests/2.31.0",
};
constexpr std::array kReferrers = {
    "https://www.instagram.com/", "https://l.facebook.com/l.php", "https://t.co/x1y2z3", "https://www.google.com/",
    "https://www.tiktok.com/@shop", "https://mail.google.com/mail/u/0/", "https://www.linkedin.com/feed/",
};
constexpr std::array kCountries = {"US", "DE", "GB", "FR", "IN", "BR", "JP", "NG", "ES", "IT"};
constexpr std::array kLanguages = {"en-US", "de-DE", "en-GB", "fr-FR", "hi-IN", "pt-BR", "ja-JP", "es-ES"};
// First octets of blocks allocated to ISPs in several regions, so GeoIP resolves them.
constexpr std::array kOctets = {8, 24, 31, 37, 46, 62, 77, 78, 81, 85, 88, 91, 95, 109, 176, 178, 185, 188, 193, 212, 213, 217};
}  // namespace

bool ScanWorkload::isBotUserAgent(std::string_view userAgent) {
  for (const char* b : kBots)
    if (userAgent == b) return true;
  return false;
}

ScanWorkload::ScanWorkload(ScanWorkloadOptions options) : options_(options), rng_(options.seed) {}

std::string ScanWorkload::publicIp() {
  std::uniform_int_distribution<int> octet(1, 254);
  if (std::uniform_real_distribution<>(0, 1)(rng_) < 0.1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "2a02:%x:%x::%x", octet(rng_) * 97, octet(rng_) * 31, octet(rng_));
    return buf;
  }
  int first = kOctets[std::uniform_int_distribution<std::size_t>(0, kOctets.size() - 1)(rng_)];
  return std::to_string(first) + "." + std::to_string(octet(rng_)) + "." + std::to_string(octet(rng_)) + "." +
         std::to_string(octet(rng_));
}

ScanWorkload::Visitor ScanWorkload::newVisitor(bool bot) {
  if (bot) return {publicIp(), kBots[std::uniform_int_distribution<std::size_t>(0, kBots.size() - 1)(rng_)]};
  return {publicIp(), kBrowsers[std::uniform_int_distribution<std::size_t>(0, kBrowsers.size() - 1)(rng_)]};
}

std::pair<std::string, Envelope> ScanWorkload::next() {
  std::uniform_real_distribution<> u(0, 1);
  auto i = index_++;
  std::int64_t now = options_.startMs ? options_.startMs + i * options_.stepMs : nowMillis();

  events::ScanRecorded s;
  Visitor v;
  int qr = 0;
  if (burstLeft_ > 0) {
    --burstLeft_;
    qr = burstQr_;
    v = burstVisitor_;
    now = burstStartMs_ + (14 - burstLeft_) * 2000;  // 15 scans within 30 s of one minute
  } else {
    // Power-law popularity: a few QR codes get most scans, a long tail gets few.
    qr = static_cast<int>(std::floor(options_.qrCodes * std::pow(u(rng_), 2.5)));
    bool bot = u(rng_) < options_.botShare;
    if (!bot && !visitors_.empty() && u(rng_) < options_.repeatShare) {
      v = visitors_[std::uniform_int_distribution<std::size_t>(0, visitors_.size() - 1)(rng_)];
    } else {
      v = newVisitor(bot);
      if (!bot && visitors_.size() < 200000) visitors_.push_back(v);
    }
    if (!bot && u(rng_) < options_.burstShare) {
      burstLeft_ = 14;
      burstQr_ = qr;
      burstVisitor_ = v;
      burstStartMs_ = now - now % 60000;  // start of the minute, so all 15 land in it
      now = burstStartMs_;
    }
  }
  char id[32];
  std::snprintf(id, sizeof id, "qr-%06d", qr);
  s.qrCodeId = id;
  std::snprintf(id, sizeof id, "owner-%04d", qr % std::max(1, options_.owners));
  s.ownerId = id;
  s.scannedAtMs = now;
  s.ip = v.ip;
  s.userAgent = v.userAgent;
  if (u(rng_) < 0.6) s.referrer = kReferrers[std::uniform_int_distribution<std::size_t>(0, kReferrers.size() - 1)(rng_)];
  if (u(rng_) < 0.25) s.country = kCountries[std::uniform_int_distribution<std::size_t>(0, kCountries.size() - 1)(rng_)];
  if (u(rng_) < 0.5) s.language = kLanguages[std::uniform_int_distribution<std::size_t>(0, kLanguages.size() - 1)(rng_)];

  Envelope e;
  e.eventId = uuidV5(kNamespace, std::to_string(options_.seed) + ":" + std::to_string(i));
  e.eventType = std::string(events::ScanRecorded::type);
  e.version = events::ScanRecorded::latestVersion;
  e.timestampMs = now + 5;
  e.source = "qrfleet-loadgen";
  e.correlationId = "loadgen-" + std::to_string(options_.seed) + "-" + std::to_string(i);
  e.payload = s.toPayload();
  return {s.qrCodeId, std::move(e)};
}

}  // namespace qrfleet::loadgen
