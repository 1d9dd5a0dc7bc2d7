-- The probe worker's tables (schema probe, test only).
CREATE TABLE applied (
  event_id   uuid PRIMARY KEY,
  n          int         NOT NULL,
  attempt    int         NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Every time the handler saw an event, written outside the batch transaction
-- so that failed attempts are recorded too.
CREATE TABLE attempts (
  n          int         NOT NULL,
  batch_size int         NOT NULL,
  outcome    text        NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
