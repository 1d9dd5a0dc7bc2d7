-- qrfleet-scan-analytics read models (schema analytics). The tables other
-- services read are a contract: see services/scan-analytics/README.md.
-- Applied by the runtime's MigrationRunner with search_path = analytics.

-- Accepted raw events: the source for rebuilds and retention.
CREATE TABLE scan_events (
  event_id        uuid PRIMARY KEY,
  qr_code_id      text        NOT NULL,
  owner_id        text        NOT NULL,
  scanned_at      timestamptz NOT NULL,
  visitor_id      text        NOT NULL,   -- keyed hash of (ip, user agent); the raw IP is never stored
  country         text        NOT NULL,
  device          text        NOT NULL,
  os              text        NOT NULL,
  browser         text        NOT NULL,
  referrer_host   text        NOT NULL,
  language        text,
  is_bot          boolean     NOT NULL,
  is_suspicious   boolean     NOT NULL,
  kafka_partition int         NOT NULL,
  kafka_offset    bigint      NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_events_qr_time ON scan_events (qr_code_id, scanned_at);

-- fillfactor leaves room on each page so the counter updates stay HOT (no index churn).
CREATE TABLE qr_daily (
  qr_code_id       text   NOT NULL,
  day              date   NOT NULL,   -- UTC date of scannedAt
  scans            bigint NOT NULL DEFAULT 0,
  unique_visitors  bigint NOT NULL DEFAULT 0,
  bot_scans        bigint NOT NULL DEFAULT 0,
  suspicious_scans bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, day)
) WITH (fillfactor = 80);

CREATE TABLE qr_hourly (
  qr_code_id       text        NOT NULL,
  hour             timestamptz NOT NULL,   -- start of the UTC hour of scannedAt
  scans            bigint      NOT NULL DEFAULT 0,
  unique_visitors  bigint      NOT NULL DEFAULT 0,
  bot_scans        bigint      NOT NULL DEFAULT 0,
  suspicious_scans bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, hour)
) WITH (fillfactor = 80);

CREATE TABLE qr_daily_dimension (
  qr_code_id text   NOT NULL,
  day        date   NOT NULL,
  dimension  text   NOT NULL CHECK (dimension IN ('country', 'device', 'os', 'browser', 'referrer_host')),
  value      text   NOT NULL,
  scans      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, day, dimension, value)
) WITH (fillfactor = 80);

-- Scans per visitor, QR and minute of scannedAt. One table serves three
-- needs: burst detection (scans in the minute), and exact unique visitors per
-- hour and per day (a visitor is new for an hour or a day when it has no row
-- in that range: a range scan of the primary key). Event time, not arrival
-- time, so a replay gives exactly the same answers.
CREATE TABLE visitor_minute_scans (
  qr_code_id text        NOT NULL,
  visitor_id text        NOT NULL,
  minute     timestamptz NOT NULL,
  scans      int         NOT NULL,
  PRIMARY KEY (qr_code_id, visitor_id, minute)
) WITH (fillfactor = 90);
