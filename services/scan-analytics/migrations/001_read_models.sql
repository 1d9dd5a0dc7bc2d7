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

CREATE TABLE qr_daily (
  qr_code_id       text   NOT NULL,
  day              date   NOT NULL,   -- UTC date of scannedAt
  scans            bigint NOT NULL DEFAULT 0,
  unique_visitors  bigint NOT NULL DEFAULT 0,
  bot_scans        bigint NOT NULL DEFAULT 0,
  suspicious_scans bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, day)
);

CREATE TABLE qr_hourly (
  qr_code_id       text        NOT NULL,
  hour             timestamptz NOT NULL,   -- start of the UTC hour of scannedAt
  scans            bigint      NOT NULL DEFAULT 0,
  unique_visitors  bigint      NOT NULL DEFAULT 0,
  bot_scans        bigint      NOT NULL DEFAULT 0,
  suspicious_scans bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, hour)
);

CREATE TABLE qr_daily_dimension (
  qr_code_id text   NOT NULL,
  day        date   NOT NULL,
  dimension  text   NOT NULL CHECK (dimension IN ('country', 'device', 'os', 'browser', 'referrer_host')),
  value      text   NOT NULL,
  scans      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, day, dimension, value)
);

-- Exact distinct visitors: a visitor counts once per QR and day (and hour).
CREATE TABLE daily_visitors (
  qr_code_id text NOT NULL,
  day        date NOT NULL,
  visitor_id text NOT NULL,
  PRIMARY KEY (qr_code_id, day, visitor_id)
);
CREATE TABLE hourly_visitors (
  qr_code_id text        NOT NULL,
  hour       timestamptz NOT NULL,
  visitor_id text        NOT NULL,
  PRIMARY KEY (qr_code_id, hour, visitor_id)
);

-- Scans per visitor, QR and minute of scannedAt, for burst detection. Event
-- time, not arrival time, so a replay flags exactly the same scans.
CREATE TABLE visitor_minute_scans (
  qr_code_id text        NOT NULL,
  visitor_id text        NOT NULL,
  minute     timestamptz NOT NULL,
  scans      int         NOT NULL,
  PRIMARY KEY (qr_code_id, visitor_id, minute)
);
