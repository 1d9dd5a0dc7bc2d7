#pragma once
// The SQL that applies one batch of scans: two statements, each one round
// trip whatever the batch size. Columns travel as array parameters (unnest),
// the aggregation happens in memory (ScanBatchTotals), so Postgres does one
// upsert per key instead of set operations over a staging table.
//   1. recordScans: insert the batch's candidate raw events (the first
//      delivery of each eventId in the batch); the ones that were new come
//      back. Same statement: the stored visitor minutes of the batch's
//      (qr, visitor, day)s, for unique visitors and burst flags.
//   2. applyTotals: the pre-aggregated rows into every read model.
//   3. flagSuspicious, only when the batch has any: the burst flags onto the
//      raw events inserted by step 1.

namespace qrfleet::scan::sql {

// $1 event ids, $2 qr, $3 owner, $4 scanned_at, $5 visitor, $6 country, $7 device, $8 os, $9 browser,
// $10 referrer host, $11 language, $12 is_bot, $13 partition, $14 offset, $15 day_start.
// Rows: (true, partition, offset) for each inserted event, (false, ..., qr, visitor, minute ms, scans).
// LATERAL keeps the stored-minutes lookup an index range scan per key whatever
// the plan: a prepared statement's generic plan cannot know how many keys the
// arrays hold, and a hash join over the whole table was seen to take seconds.
inline constexpr const char* recordScans = R"sql(
WITH inserted AS (
  INSERT INTO analytics.scan_events (event_id, qr_code_id, owner_id, scanned_at, visitor_id, country, device, os,
    browser, referrer_host, language, is_bot, is_suspicious, kafka_partition, kafka_offset)
  SELECT id, qr, owner, at, visitor, country, device, os, browser, referrer, language, bot, false, part, off
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::text[], $12::boolean[], $13::int[], $14::bigint[])
       AS e(id, qr, owner, at, visitor, country, device, os, browser, referrer, language, bot, part, off)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING kafka_partition, kafka_offset
), visitor_days AS (
  SELECT DISTINCT qr, visitor, day_start FROM unnest($2::text[], $5::text[], $15::timestamptz[]) AS k(qr, visitor, day_start)
)
SELECT true AS is_new, kafka_partition, kafka_offset, NULL::text, NULL::text, NULL::bigint, NULL::bigint FROM inserted
UNION ALL
SELECT false, NULL, NULL, v.qr_code_id, v.visitor_id, (extract(epoch FROM v.minute) * 1000)::bigint, v.scans
FROM visitor_days k, LATERAL (
  SELECT * FROM analytics.visitor_minute_scans v
  WHERE v.qr_code_id = k.qr AND v.visitor_id = k.visitor
    AND v.minute >= k.day_start AND v.minute < k.day_start + interval '1 day') v)sql";

// Every read model's share of the batch, one statement. Keys arrive sorted,
// so concurrent batches lock rows in the same order.
// $1-$4 visitor minutes (qr, visitor, minute, scans); $5-$10 daily (qr, day, scans, unique, bots, suspicious);
// $11-$16 hourly (qr, hour, ...); $17-$21 dimensions (qr, day, dimension, value, scans).
inline constexpr const char* applyTotals = R"sql(
WITH minutes AS (
  INSERT INTO analytics.visitor_minute_scans AS v (qr_code_id, visitor_id, minute, scans)
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[])
  ON CONFLICT (qr_code_id, visitor_id, minute) DO UPDATE SET scans = v.scans + EXCLUDED.scans
), daily AS (
  INSERT INTO analytics.qr_daily AS d (qr_code_id, day, scans, unique_visitors, bot_scans, suspicious_scans)
  SELECT * FROM unnest($5::text[], $6::date[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
  ON CONFLICT (qr_code_id, day) DO UPDATE SET
    scans = d.scans + EXCLUDED.scans, unique_visitors = d.unique_visitors + EXCLUDED.unique_visitors,
    bot_scans = d.bot_scans + EXCLUDED.bot_scans, suspicious_scans = d.suspicious_scans + EXCLUDED.suspicious_scans
), hourly AS (
  INSERT INTO analytics.qr_hourly AS h (qr_code_id, hour, scans, unique_visitors, bot_scans, suspicious_scans)
  SELECT * FROM unnest($11::text[], $12::timestamptz[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[])
  ON CONFLICT (qr_code_id, hour) DO UPDATE SET
    scans = h.scans + EXCLUDED.scans, unique_visitors = h.unique_visitors + EXCLUDED.unique_visitors,
    bot_scans = h.bot_scans + EXCLUDED.bot_scans, suspicious_scans = h.suspicious_scans + EXCLUDED.suspicious_scans
), dimensions AS (
  INSERT INTO analytics.qr_daily_dimension AS t (qr_code_id, day, dimension, value, scans)
  SELECT * FROM unnest($17::text[], $18::date[], $19::text[], $20::text[], $21::bigint[])
  ON CONFLICT (qr_code_id, day, dimension, value) DO UPDATE SET scans = t.scans + EXCLUDED.scans
)
SELECT 1)sql";

// $1 suspicious event ids. Sent unprepared, so it is planned with the real
// array each time: a generic plan made while scan_events was small looked the
// ids up with a sequential scan of the whole table, a cost growing with it.
inline constexpr const char* flagSuspicious = R"sql(
UPDATE analytics.scan_events SET is_suspicious = true WHERE event_id = ANY($1::uuid[]))sql";

}  // namespace qrfleet::scan::sql
