-- qrfleet-payments: what the providers told us (webhook_events, the
-- de-duplication, and their raw bodies), payments and their transitions,
-- subscriptions, the double-entry ledger, dunning, and fraud flags.
-- Times from events are the provider's (occurred_at) or the event's own;
-- created_at / updated_at / emitted_at are clock times (volatile in replays).

-- Every provider event, once: (provider, provider_event_id) is the
-- de-duplication key. The worker claims it with INSERT ... ON CONFLICT DO
-- NOTHING (a conflict is the provider delivering the event again) and then
-- records what came of it. 'pending' exists only inside a batch.
CREATE TABLE webhook_events (
  provider            text NOT NULL,
  provider_event_id   text NOT NULL,
  event_type          text NOT NULL,
  customer_id         text NOT NULL,
  provider_object_id  text NOT NULL,
  occurred_at         timestamptz NOT NULL,
  event_id            uuid NOT NULL,        -- the envelope's (of the delivery that was applied)
  outcome             text NOT NULL CHECK (outcome IN ('pending', 'applied', 'rejected', 'stale', 'duplicate-object', 'ignored')),
  detail              text,
  PRIMARY KEY (provider, provider_event_id)
);
CREATE INDEX webhook_events_object ON webhook_events (provider, provider_object_id, event_type);
CREATE INDEX webhook_events_customer ON webhook_events (customer_id, occurred_at);

-- The raw webhook as the gateway received it (PaymentEvent::webhook), for
-- audit and reprocessing.
CREATE TABLE webhook_bodies (
  provider           text NOT NULL,
  provider_event_id  text NOT NULL,
  body_sha256        text NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  body               text NOT NULL,
  received_at        timestamptz NOT NULL,
  PRIMARY KEY (provider, provider_event_id)
);

-- One row per charge: where it stands (see payment_state_machine.h).
CREATE TABLE payments (
  provider             text NOT NULL,
  provider_payment_id  text NOT NULL,
  customer_id          text NOT NULL,
  amount               bigint NOT NULL CHECK (amount >= 0),   -- minor units
  currency             char(3) NOT NULL,
  state                text NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'partially_refunded', 'refunded', 'disputed')),
  refunded_amount      bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
  disputed_amount      bigint NOT NULL DEFAULT 0 CHECK (disputed_amount >= 0),
  fingerprint          text,
  invoice_id           text,
  subscription_id      text,
  last_event_at        timestamptz NOT NULL,  -- the newest applied event's occurred_at
  created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (provider, provider_payment_id),
  CHECK (refunded_amount <= amount)
);
CREATE INDEX payments_customer ON payments (customer_id, last_event_at DESC);

-- Every transition a provider event asked of a payment, legal or not: the
-- illegal ones (and over-refunds, and refunds of payments never known) are
-- recorded with applied = false and the reason.
CREATE TABLE payment_transitions (
  provider             text NOT NULL,
  provider_event_id    text NOT NULL,
  provider_payment_id  text NOT NULL,
  event_type           text NOT NULL,
  from_state           text,              -- NULL: the payment was not known
  to_state             text NOT NULL,     -- the state the event asked for
  applied              boolean NOT NULL,
  amount               bigint NOT NULL,
  currency             char(3) NOT NULL,
  reason               text,
  occurred_at          timestamptz NOT NULL,
  PRIMARY KEY (provider, provider_event_id)
);
CREATE INDEX payment_transitions_payment ON payment_transitions (provider, provider_payment_id, occurred_at);

-- Subscriptions: each field is the value of the newest change that carried
-- it (see subscription_ordering.h); version_* is the newest change applied
-- (of the status), field_versions the change behind each other field:
-- {"plan": [ms, rank, "evt_..."], ...}. status is NULL while only a dunning
-- has named the subscription.
CREATE TABLE subscriptions (
  provider                  text NOT NULL,
  provider_subscription_id  text NOT NULL,
  customer_id               text NOT NULL,
  plan                      text,
  status                    text,
  current_period_start      timestamptz,
  current_period_end        timestamptz,
  cancel_at_period_end      boolean,
  amount                    bigint,
  currency                  char(3),
  version_at                timestamptz,
  version_rank              int,             -- created 0 < updated 1 < canceled 2
  version_event_id          text,
  field_versions            jsonb NOT NULL DEFAULT '{}',
  dunning_state             text CHECK (dunning_state IN ('scheduled', 'recovered', 'exhausted', 'canceled')),
  updated_at                timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (provider, provider_subscription_id)
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

-- The double-entry ledger: one transaction per provider event that moved
-- money; entries are debits (positive) and credits (negative) that sum to
-- zero per currency (checked at commit, below).
CREATE TABLE ledger_transactions (
  transaction_id      text PRIMARY KEY,      -- '<provider>:<provider_event_id>'
  provider            text NOT NULL,
  provider_event_id   text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('payment', 'refund', 'dispute')),
  customer_id         text NOT NULL,
  currency            char(3) NOT NULL,
  provider_object_id  text NOT NULL,         -- what a settlement report names: the charge, the refund, the dispute
  amount              bigint NOT NULL CHECK (amount >= 0),  -- the gross
  occurred_at         timestamptz NOT NULL,
  UNIQUE (provider, provider_event_id)
);
-- One booking per object: a refund Stripe reports twice is booked once.
CREATE UNIQUE INDEX ledger_transactions_object ON ledger_transactions (provider, provider_object_id, kind);

CREATE TABLE ledger_entries (
  transaction_id  text NOT NULL REFERENCES ledger_transactions,
  account         text NOT NULL,   -- provider:<p>:balance | revenue | refunds | disputes
  currency        char(3) NOT NULL,
  amount          bigint NOT NULL CHECK (amount <> 0),
  PRIMARY KEY (transaction_id, account)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account, currency);

-- Transactions whose entries do not sum to zero in some currency, or that
-- have none: empty unless something bypassed the worker.
CREATE VIEW unbalanced_transactions AS
  SELECT t.transaction_id, e.currency, coalesce(sum(e.amount), 0) AS total, count(e.transaction_id) AS entries
  FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.transaction_id
  GROUP BY t.transaction_id, e.currency
  HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.transaction_id) = 0;

-- At commit, each transaction whose entries changed must balance.
CREATE FUNCTION ledger_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  id text := CASE WHEN TG_OP = 'DELETE' THEN OLD.transaction_id ELSE NEW.transaction_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM payments.ledger_entries WHERE transaction_id = id GROUP BY currency HAVING sum(amount) <> 0) THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_entries_balance AFTER INSERT OR UPDATE OR DELETE ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances();

-- Dunning of an unpaid subscription invoice: `step` retries made so far,
-- next_at the next step's due time (NULL once settled).
CREATE TABLE dunning (
  provider         text NOT NULL,
  invoice_id       text NOT NULL,
  subscription_id  text NOT NULL,
  customer_id      text NOT NULL,
  currency         char(3) NOT NULL,
  amount           bigint NOT NULL,
  step             int NOT NULL DEFAULT 0,
  next_at          timestamptz,
  state            text NOT NULL CHECK (state IN ('scheduled', 'recovered', 'exhausted', 'canceled')),
  started_by       text NOT NULL,   -- the provider event of the failure
  detail           text,            -- the last decline, or why it stopped
  updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (provider, invoice_id)
);
CREATE INDEX dunning_subscription ON dunning (provider, subscription_id);

-- Its steps: the dunning task sends each as payments.dunning-retry-due once
-- due (emitted_at, clock time), the worker records what came of it.
CREATE TABLE dunning_steps (
  provider    text NOT NULL,
  invoice_id  text NOT NULL,
  step        int NOT NULL,
  due_at      timestamptz NOT NULL,
  cancel      boolean NOT NULL DEFAULT false,  -- the cancel step
  emitted_at  timestamptz,
  applied_at  timestamptz,                     -- the retry-due event's Kafka time when the worker made the step
  outcome     text,                            -- paid | declined: ... | canceled | ...
  PRIMARY KEY (provider, invoice_id, step)
);
CREATE INDEX dunning_steps_due ON dunning_steps (due_at) WHERE emitted_at IS NULL AND applied_at IS NULL;

-- Failed payments per rule, subject (customer or fingerprint) and window
-- (see fraud_velocity.h). Shared by every partition (a fingerprint spans
-- customers): incremented with INSERT ... ON CONFLICT DO UPDATE, whose row
-- lock makes exactly one transaction see a window reach the limit.
CREATE TABLE fraud_counts (
  rule          text NOT NULL,
  subject       text NOT NULL,
  window_start  timestamptz NOT NULL,
  count         int NOT NULL,
  PRIMARY KEY (rule, subject, window_start)
);

-- Customers a velocity rule flagged, once per customer, rule and window.
CREATE TABLE fraud_flags (
  customer_id        text NOT NULL,
  rule               text NOT NULL,
  window_start       timestamptz NOT NULL,
  count              int NOT NULL,          -- the window's count with the flagging failure
  flagged_at         timestamptz NOT NULL,  -- that failure's occurred_at
  provider           text NOT NULL,
  provider_event_id  text NOT NULL,
  PRIMARY KEY (customer_id, rule, window_start)
);
