-- qrfleet-location: driver position history and bookings. Live driver state
-- is in Redis (see README.md); these tables are the durable record and what
-- Redis is rebuilt from.
CREATE SCHEMA IF NOT EXISTS location;

-- Every location.updated, including out-of-order ones (the history is a log;
-- only Redis keeps "latest").
CREATE TABLE location.driver_positions (
  driver_id text NOT NULL,
  recorded_at timestamptz NOT NULL,
  vehicle_type text NOT NULL,
  latitude double precision NOT NULL,
  longitude double precision NOT NULL,
  speed_kmh real,
  bearing real,
  booking_id text,
  event_id uuid NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset bigint NOT NULL
);
CREATE INDEX driver_positions_by_driver ON location.driver_positions (driver_id, recorded_at DESC);
CREATE INDEX driver_positions_by_time ON location.driver_positions USING brin (recorded_at);

CREATE TABLE location.bookings (
  booking_id text PRIMARY KEY,
  customer_id text NOT NULL,
  vehicle_type text NOT NULL,
  pickup_lat double precision NOT NULL,
  pickup_lon double precision NOT NULL,
  dropoff_lat double precision NOT NULL,
  dropoff_lon double precision NOT NULL,
  radius_km double precision NOT NULL,
  max_transporters int NOT NULL,
  created_event_id uuid NOT NULL,
  created_at timestamptz NOT NULL,           -- booking.created's envelope timestamp
  expires_at timestamptz NOT NULL,           -- created_at + expiresInSeconds
  status text NOT NULL CHECK (status IN ('open', 'assigned', 'completed', 'cancelled', 'expired')),
  offered_count int,                         -- null until the broadcast is recorded
  driver_id text,                            -- the winner
  assigned_at timestamptz,
  closed_at timestamptz,                     -- completed, cancelled or expired
  expiry_emitted_at timestamptz              -- when the expiry task produced booking.expired
);
-- What the expiry task scans.
CREATE INDEX bookings_due ON location.bookings (expires_at) WHERE status = 'open' AND expiry_emitted_at IS NULL;

-- Who was offered each booking, nearest first.
CREATE TABLE location.booking_offers (
  booking_id text NOT NULL REFERENCES location.bookings,
  driver_id text NOT NULL,
  rank int NOT NULL,
  distance_km double precision NOT NULL,
  PRIMARY KEY (booking_id, driver_id)
);

-- Every booking.accepted and what became of it.
CREATE TABLE location.booking_accepts (
  event_id uuid PRIMARY KEY,
  booking_id text NOT NULL,
  driver_id text NOT NULL,
  accepted_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('won', 'taken', 'repeat', 'expired', 'cancelled', 'not-offered', 'unknown-booking')),
  kafka_partition int NOT NULL,
  kafka_offset bigint NOT NULL
);
CREATE INDEX booking_accepts_by_booking ON location.booking_accepts (booking_id);
