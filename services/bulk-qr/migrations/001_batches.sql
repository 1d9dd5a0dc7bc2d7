-- qrfleet-bulk-qr: batches, their chunks and items, and the rows refused.

-- One row per batch. Written first by whichever comes first (the splitter
-- or a chunk: each chunk event carries the batch's counts), then counted up
-- by chunks under this row's lock: the chunk that brings chunks_done to
-- chunk_count completes the batch, exactly once.
CREATE TABLE batches (
  batch_id         text PRIMARY KEY,
  owner_id         text NOT NULL,
  request_event_id text,                    -- the batch-requested event (NULL until the splitter's commit)
  status           text NOT NULL DEFAULT 'generating',  -- generating | completed | cancelled | rejected | failed
  options          jsonb NOT NULL,
  total_items      bigint NOT NULL,        -- valid items, the codes to generate
  invalid_items    bigint NOT NULL DEFAULT 0,
  chunk_count      int NOT NULL,
  chunks_done      int NOT NULL DEFAULT 0,
  generated        bigint NOT NULL DEFAULT 0,
  failed           bigint NOT NULL DEFAULT 0,
  cancelled        boolean NOT NULL DEFAULT false,
  cancel_reason    text,
  error            text,                    -- why the batch was rejected or failed
  report_key       text,
  archive_key      text,
  archive_sha256   text,
  archive_bytes    bigint,
  requested_at     timestamptz NOT NULL,    -- the request's event time
  completed_at     timestamptz              -- when the worker finished it (clock time, not the transaction start)
);

CREATE TABLE chunks (
  batch_id    text NOT NULL REFERENCES batches,
  chunk_index int NOT NULL,
  status      text NOT NULL,               -- generated | cancelled | failed
  items       int NOT NULL,
  failed      int NOT NULL,
  error       text,
  generate_ms int NOT NULL,                -- drawing and storing its codes (0 when cancelled)
  done_at     timestamptz NOT NULL DEFAULT clock_timestamp(),  -- when it was counted
  PRIMARY KEY (batch_id, chunk_index)
);

CREATE TABLE items (
  batch_id    text NOT NULL REFERENCES batches,
  item_index  bigint NOT NULL,
  chunk_index int NOT NULL,
  data        text NOT NULL,
  label       text,
  entry       text NOT NULL,               -- file name in the archive, without extension
  png_key     text,
  png_sha256  text,
  svg_key     text,
  svg_sha256  text,
  failure     text,                         -- set when the code could not be made
  PRIMARY KEY (batch_id, item_index)
);

CREATE TABLE invalid_rows (
  batch_id   text NOT NULL REFERENCES batches,
  row_number bigint NOT NULL,
  reason     text NOT NULL,
  PRIMARY KEY (batch_id, row_number)
);
