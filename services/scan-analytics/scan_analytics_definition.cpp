#include "scan_analytics_definition.h"

#include "scan_analytics_handler.h"
#include "scan_migrations.h"

qrfleet::ServiceDefinition scanAnalyticsDefinition() {
  qrfleet::ServiceDefinition d;
  d.name = "scan-analytics";
  d.description = "QR scan analytics: daily/hourly counts, unique visitors, dimensions, live feeds";
  d.consumerGroup = "scan-analytics";
  d.routes = {qrfleet::route<qrfleet::scan::ScanAnalyticsHandler, qrfleet::events::ScanRecorded>(
      "analytics-events", "qrCodeId", &qrfleet::scan::ScanAnalyticsHandler::apply)};
  d.postgresSchema = "analytics";
  d.redisPrefix = "analytics";
  d.migrations = qrfleet::scanAnalyticsMigrations();
  d.volatileColumns = {"scan_events.received_at"};
  // The last N scans of an owner across all partitions: which ones depends on
  // how the partitions interleaved, so a replay cannot reproduce it exactly.
  d.interleavingDependentKeys = {"owner:*:live"};
  d.options = {
      {"SCAN_BURST_THRESHOLD", "scans per visitor, QR and minute before further ones are flagged suspicious", "10"},
      {"SCAN_LIVE_FEED_LENGTH", "approximate length of each owner's live feed stream", "1000"},
      {"SCAN_DAY_KEY_TTL_DAYS", "days before Redis per-day counters expire", "90"},
      {"SCAN_VISITOR_SALT", "secret key of the visitor hash; set it per deployment", "qrfleet-visitor-v1", true},
      {"GEOIP_DATABASE", "GeoIP country database for IPv4 (empty: no lookup)", "/usr/share/GeoIP/GeoIP.dat"},
      {"GEOIP6_DATABASE", "GeoIP country database for IPv6 (empty: no lookup)", "/usr/share/GeoIP/GeoIPv6.dat"},
  };
  d.makeHandler = [](qrfleet::ServiceContext& ctx) -> std::unique_ptr<qrfleet::BatchHandler> {
    auto& c = ctx.config;
    qrfleet::scan::ScanAnalyticsOptions o;
    o.burstThreshold = static_cast<int>(c.integer("SCAN_BURST_THRESHOLD", 1, 1000000));
    o.liveFeedLength = static_cast<int>(c.integer("SCAN_LIVE_FEED_LENGTH", 1, 1000000));
    o.dayKeyTtlDays = static_cast<int>(c.integer("SCAN_DAY_KEY_TTL_DAYS", 1, 3650));
    o.redisPrefix = ctx.service.redisPrefix;
    auto salt = c.string("SCAN_VISITOR_SALT");
    std::string geo4 = c.string("GEOIP_DATABASE"), geo6 = c.string("GEOIP6_DATABASE");
    try {
      qrfleet::scan::CountryResolver countries(geo4, geo6);
      return std::make_unique<qrfleet::scan::ScanAnalyticsHandler>(
          qrfleet::scan::ScanEnricher(std::move(countries), qrfleet::scan::VisitorId(salt)), o);
    } catch (const std::exception& e) {
      c.invalid("GEOIP_DATABASE/GEOIP6_DATABASE", e.what());
      return nullptr;
    }
  };
  return d;
}
