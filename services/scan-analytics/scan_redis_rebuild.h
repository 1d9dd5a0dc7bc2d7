#pragma once
// How scan-analytics' Redis state follows from its Postgres tables, for the
// runtime's rebuild after Redis lost it. Each query yields the key's value.
// The keys are listed in services/scan-analytics/README.md.

namespace qrfleet::scan::sql {

// $1: days a per-day key lives (older days are not rebuilt: they expired).
inline constexpr const char* rebuildTotals = R"sql(
SELECT qr_code_id, sum(scans)::bigint FROM analytics.qr_daily GROUP BY 1 ORDER BY 1)sql";

inline constexpr const char* rebuildDays = R"sql(
SELECT qr_code_id, to_char(day, 'YYYY-MM-DD'), scans FROM analytics.qr_daily
WHERE day >= (now() AT TIME ZONE 'UTC')::date - $1::int ORDER BY 1, 2)sql";

inline constexpr const char* rebuildDayVisitors = R"sql(
SELECT qr_code_id, to_char((minute AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
       array_agg(DISTINCT visitor_id)
FROM analytics.visitor_minute_scans
WHERE minute >= ((now() AT TIME ZONE 'UTC')::date - $1::int)::timestamp AT TIME ZONE 'UTC'
GROUP BY 1, 2 ORDER BY 1, 2)sql";

// $1: feed length. Oldest first, so XADD leaves the newest at the end.
inline constexpr const char* rebuildFeeds = R"sql(
SELECT owner_id, event_id, qr_code_id, to_char(scanned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), country, device, os, browser, referrer_host, is_suspicious
FROM (SELECT *, row_number() OVER (PARTITION BY owner_id ORDER BY scanned_at DESC, event_id DESC) AS rn
      FROM analytics.scan_events) e
WHERE rn <= $1 ORDER BY owner_id, scanned_at, event_id)sql";

}  // namespace qrfleet::scan::sql
