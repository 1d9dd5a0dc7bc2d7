#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "qrfleet/envelope.h"

namespace qrfleet::loadgen {

struct ScanWorkloadOptions {
  std::uint64_t seed = 1;
  int qrCodes = 1000;
  int owners = 100;
  std::int64_t startMs = 0;  // 0: stamp events with the current time
  std::int64_t stepMs = 0;   // with startMs: scannedAt advances this much per event
  double botShare = 0.05;    // crawlers, link previews, scripts
  double repeatShare = 0.6;  // scans by a visitor seen before
  double burstShare = 0.002; // a visitor hammering one QR (15 scans in a minute)
};

// A deterministic stream of realistic scan.recorded events: popular and
// long-tail QR codes, repeat visitors, real browser/app/bot user agents,
// public IPv4/IPv6 addresses, referrers, and the occasional burst. The same
// options give the same events (ids included), so tests can recompute what
// the read models must contain.
class ScanWorkload {
 public:
  explicit ScanWorkload(ScanWorkloadOptions options);

  // The next event and its Kafka key (the qrCodeId).
  std::pair<std::string, Envelope> next();
  std::int64_t produced() const { return index_; }
  // Whether the workload sent this user agent as bot traffic.
  static bool isBotUserAgent(std::string_view userAgent);

 private:
  struct Visitor {
    std::string ip;
    std::string userAgent;
  };
  Visitor newVisitor(bool bot);
  std::string publicIp();

  ScanWorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<Visitor> visitors_;
  std::int64_t index_ = 0;
  int burstLeft_ = 0;
  int burstQr_ = 0;
  Visitor burstVisitor_;
  std::int64_t burstStartMs_ = 0;
};

}  // namespace qrfleet::loadgen
