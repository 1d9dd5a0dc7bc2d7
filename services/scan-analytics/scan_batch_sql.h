#pragma once
// The set-based SQL that applies one batch of scans. Rows are first COPYed
// into the session's temporary table scan_batch; each statement then works on
// the whole batch, so a 5,000-event batch costs a handful of round trips.
// Order matters: unique visitors are judged against visitor_minute_scans
// before this batch's rows go into it.

namespace qrfleet::scan::sql {

inline constexpr const char* createStaging = R"sql(
CREATE TEMP TABLE IF NOT EXISTS scan_batch (
  event_id uuid, qr_code_id text, owner_id text, scanned_at timestamptz, day date, day_start timestamptz,
  hour timestamptz, minute timestamptz, visitor_id text, country text, device text, os text, browser text,
  referrer_host text, language text, is_bot boolean, kafka_partition int, kafka_offset bigint,
  is_new boolean NOT NULL DEFAULT false, is_suspicious boolean NOT NULL DEFAULT false
) ON COMMIT DELETE ROWS)sql";

inline constexpr const char* stagingColumns[] = {
    "event_id",   "qr_code_id", "owner_id", "scanned_at", "day",     "day_start",     "hour",
    "minute",     "visitor_id", "country",  "device",     "os",      "browser",       "referrer_host",
    "language",   "is_bot",     "kafka_partition", "kafka_offset"};

// New = first delivery of its eventId (in this batch and ever).
inline constexpr const char* markNew = R"sql(
UPDATE scan_batch b SET is_new = true
FROM (SELECT DISTINCT ON (event_id) event_id, kafka_partition, kafka_offset FROM scan_batch
      ORDER BY event_id, kafka_partition, kafka_offset) first
WHERE b.kafka_partition = first.kafka_partition AND b.kafka_offset = first.kafka_offset
  AND NOT EXISTS (SELECT 1 FROM analytics.scan_events e WHERE e.event_id = b.event_id))sql";

// Scans, exact new visitors (no earlier minute row that day) and bot scans per QR and day.
inline constexpr const char* upsertDaily = R"sql(
WITH visitors AS (
  SELECT f.qr_code_id, f.day, count(*) AS n
  FROM (SELECT DISTINCT qr_code_id, visitor_id, day, day_start FROM scan_batch WHERE is_new) f
  WHERE NOT EXISTS (SELECT 1 FROM analytics.visitor_minute_scans v
                    WHERE v.qr_code_id = f.qr_code_id AND v.visitor_id = f.visitor_id
                      AND v.minute >= f.day_start AND v.minute < f.day_start + interval '1 day')
  GROUP BY 1, 2
), scans AS (
  SELECT qr_code_id, day, count(*) AS scans, count(*) FILTER (WHERE is_bot) AS bots
  FROM scan_batch WHERE is_new GROUP BY 1, 2
)
INSERT INTO analytics.qr_daily AS d (qr_code_id, day, scans, unique_visitors, bot_scans)
SELECT s.qr_code_id, s.day, s.scans, coalesce(v.n, 0), s.bots
FROM scans s LEFT JOIN visitors v USING (qr_code_id, day) ORDER BY 1, 2
ON CONFLICT (qr_code_id, day) DO UPDATE SET
  scans = d.scans + EXCLUDED.scans, unique_visitors = d.unique_visitors + EXCLUDED.unique_visitors,
  bot_scans = d.bot_scans + EXCLUDED.bot_scans)sql";

inline constexpr const char* upsertHourly = R"sql(
WITH visitors AS (
  SELECT f.qr_code_id, f.hour, count(*) AS n
  FROM (SELECT DISTINCT qr_code_id, visitor_id, hour FROM scan_batch WHERE is_new) f
  WHERE NOT EXISTS (SELECT 1 FROM analytics.visitor_minute_scans v
                    WHERE v.qr_code_id = f.qr_code_id AND v.visitor_id = f.visitor_id
                      AND v.minute >= f.hour AND v.minute < f.hour + interval '1 hour')
  GROUP BY 1, 2
), scans AS (
  SELECT qr_code_id, hour, count(*) AS scans, count(*) FILTER (WHERE is_bot) AS bots
  FROM scan_batch WHERE is_new GROUP BY 1, 2
)
INSERT INTO analytics.qr_hourly AS h (qr_code_id, hour, scans, unique_visitors, bot_scans)
SELECT s.qr_code_id, s.hour, s.scans, coalesce(v.n, 0), s.bots
FROM scans s LEFT JOIN visitors v USING (qr_code_id, hour) ORDER BY 1, 2
ON CONFLICT (qr_code_id, hour) DO UPDATE SET
  scans = h.scans + EXCLUDED.scans, unique_visitors = h.unique_visitors + EXCLUDED.unique_visitors,
  bot_scans = h.bot_scans + EXCLUDED.bot_scans)sql";

// Burst flags. A visitor's scans of one QR in one minute beyond the threshold
// ($1) are suspicious; which ones is fixed by arrival order (partition, offset:
// a QR's scans share a partition), so neither batch boundaries nor a replay
// change which events carry the flag. (scannedAt order would not do: a late
// scan would be ranked before scans flagged in an earlier batch.)
inline constexpr const char* flagBursts = R"sql(
WITH per_minute AS (
  SELECT qr_code_id, visitor_id, minute, count(*) AS n FROM scan_batch WHERE is_new GROUP BY 1, 2, 3
), totals AS (
  INSERT INTO analytics.visitor_minute_scans AS v (qr_code_id, visitor_id, minute, scans)
  SELECT qr_code_id, visitor_id, minute, n FROM per_minute ORDER BY 1, 2, 3
  ON CONFLICT (qr_code_id, visitor_id, minute) DO UPDATE SET scans = v.scans + EXCLUDED.scans
  RETURNING qr_code_id, visitor_id, minute, scans
), ranked AS (
  SELECT b.kafka_partition, b.kafka_offset,
         (t.scans - p.n) + row_number() OVER (PARTITION BY b.qr_code_id, b.visitor_id, b.minute
                                              ORDER BY b.kafka_partition, b.kafka_offset) AS running
  FROM scan_batch b
  JOIN per_minute p USING (qr_code_id, visitor_id, minute)
  JOIN totals t USING (qr_code_id, visitor_id, minute)
  WHERE b.is_new AND t.scans > $1
)
UPDATE scan_batch b SET is_suspicious = true FROM ranked r
WHERE b.kafka_partition = r.kafka_partition AND b.kafka_offset = r.kafka_offset AND r.running > $1)sql";

// Suspicious scans are rare: a small update after the flags are known.
inline constexpr const char* addSuspicious = R"sql(
WITH daily AS (
  SELECT qr_code_id, day, count(*) AS n FROM scan_batch WHERE is_suspicious GROUP BY 1, 2
), d AS (
  UPDATE analytics.qr_daily t SET suspicious_scans = t.suspicious_scans + daily.n FROM daily
  WHERE t.qr_code_id = daily.qr_code_id AND t.day = daily.day RETURNING 1
), hourly AS (
  SELECT qr_code_id, hour, count(*) AS n FROM scan_batch WHERE is_suspicious GROUP BY 1, 2
)
UPDATE analytics.qr_hourly t SET suspicious_scans = t.suspicious_scans + hourly.n FROM hourly
WHERE t.qr_code_id = hourly.qr_code_id AND t.hour = hourly.hour)sql";

inline constexpr const char* insertEvents = R"sql(
INSERT INTO analytics.scan_events (event_id, qr_code_id, owner_id, scanned_at, visitor_id, country, device, os,
  browser, referrer_host, language, is_bot, is_suspicious, kafka_partition, kafka_offset)
SELECT event_id, qr_code_id, owner_id, scanned_at, visitor_id, country, device, os, browser, referrer_host,
  NULLIF(language, ''), is_bot, is_suspicious, kafka_partition, kafka_offset
FROM scan_batch WHERE is_new)sql";

inline constexpr const char* upsertDimensions = R"sql(
INSERT INTO analytics.qr_daily_dimension AS t (qr_code_id, day, dimension, value, scans)
SELECT b.qr_code_id, b.day, d.dimension, d.value, count(*)
FROM scan_batch b,
     LATERAL (VALUES ('country', b.country), ('device', b.device), ('os', b.os), ('browser', b.browser),
                     ('referrer_host', b.referrer_host)) AS d(dimension, value)
WHERE b.is_new
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT (qr_code_id, day, dimension, value) DO UPDATE SET scans = t.scans + EXCLUDED.scans)sql";

inline constexpr const char* newEvents = R"sql(
SELECT kafka_partition, kafka_offset, is_suspicious FROM scan_batch WHERE is_new)sql";

}  // namespace qrfleet::scan::sql
