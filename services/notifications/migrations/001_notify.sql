-- qrfleet-notifications: contacts, templates, notifications, the deferred
-- ones, and the audit of every delivery attempt.

-- How a recipient is reached (notification.contact-updated), replaced whole
-- by a newer update only (updated_ms: the event's time). Kept through a
-- replay: the requests' topic keeps 3 days, a contact lives for years.
CREATE TABLE contacts (
  recipient_id   text PRIMARY KEY,
  email          text,
  phone          text,
  device_tokens  text[] NOT NULL DEFAULT '{}',
  locale         text,
  time_zone      text,
  quiet_start    time,
  quiet_end      time,
  updated_by     text NOT NULL,           -- the event id of the update
  updated_ms     bigint NOT NULL          -- the update's event time (Unix ms)
);

-- Message templates, per name, channel and locale ('' = any locale), in
-- versions: `qrfleet notify templates load DIR` adds a version when a file
-- changed; the newest version is used. Mustache; subject and text are not
-- HTML-escaped, html is.
CREATE TABLE templates (
  name        text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
  locale      text NOT NULL DEFAULT '',
  version     int NOT NULL,
  subject     text,
  html        text,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, channel, locale, version)
);

-- One row per notification (its dedupeKey): where it stands.
CREATE TABLE notifications (
  notification_id      text PRIMARY KEY,
  event_id             text NOT NULL,        -- the request that created it
  recipient_id         text NOT NULL,
  channel              text NOT NULL,
  priority             text NOT NULL,
  template             text,
  template_version     int,
  status               text NOT NULL CHECK (status IN ('deferred', 'retrying', 'sent', 'failed', 'expired')),
  provider             text,
  provider_message_id  text,
  error                text,
  attempts             int NOT NULL DEFAULT 0,
  requested_at         timestamptz NOT NULL,  -- the request's event time
  due_at               timestamptz,           -- deferred until (sendAfter, quiet hours)
  expires_at           timestamptz,
  inbox_message        text,                  -- in_app: the message as the inbox holds it (Redis is rebuilt from it)
  updated_at           timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, requested_at DESC);

-- Requests that wait (sendAfter, quiet hours): the release task sends each
-- back to its topic when due; the released copy marks it released.
CREATE TABLE scheduled (
  notification_id  text PRIMARY KEY,
  topic            text NOT NULL,
  message_key      text NOT NULL,
  envelope         text NOT NULL,        -- the release copy of the request, to be sent when due
  release_event_id text NOT NULL,        -- its event id: applying it is the release
  due_at           timestamptz NOT NULL,
  released         boolean NOT NULL DEFAULT false,
  emitted_at       timestamptz           -- when the release task last sent it (clock time)
);
CREATE INDEX scheduled_due ON scheduled (due_at) WHERE NOT released;

-- Every call to a provider and what came of it: the audit a support engineer
-- reads. Written live only (a replay makes no calls and keeps this table).
CREATE TABLE deliveries (
  id                   bigserial PRIMARY KEY,
  notification_id      text NOT NULL,
  event_id             text NOT NULL,
  attempt              int NOT NULL,
  channel              text NOT NULL,
  provider             text,
  status               text NOT NULL,       -- sent | failed | retrying | expired
  provider_message_id  text,
  error                text,
  at                   timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (notification_id, event_id, attempt)
);
CREATE INDEX deliveries_notification ON deliveries (notification_id, at);
