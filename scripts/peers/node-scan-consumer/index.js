'use strict';
// A reference Node.js consumer of scan.recorded events, written the way a
// competent Node team would write it, for `scripts/bench peers` to compare the
// C++ worker against. Not part of the fleet.
//
// Per batch of one partition (kafkajs eachBatch, 4 partitions at a time):
//   one Postgres transaction: raw events inserted with ON CONFLICT DO NOTHING
//   (de-duplication by eventId), then only the newly inserted events counted
//   per (QR, UTC day) and (QR, UTC hour) in memory and upserted in one
//   multi-row statement each; commit; offsets resolved and committed; then one
//   Redis pipeline (INCRBY per QR and per QR-day, PFADD of visitor hashes).
// It does less than qrfleet-scan-analytics (no exact unique visitors, no
// dimensions, no burst flags, no offsets in Postgres: Kafka holds them, and a
// crash between the Postgres commit and the Redis pipeline loses those Redis
// writes).
//
// The fleet's producers compress with LZ4, which kafkajs cannot read by itself:
// lz4-napi (native, prebuilt) is registered as its LZ4 codec.
//
// Environment: KAFKA_BROKERS, DATABASE_URL, REDIS_URL, TOPIC, GROUP_ID.
// Postgres schema `nodepeer` (created at start), Redis keys `nodepeer:*`.
// Prints nothing per event.

const crypto = require('crypto');
const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs');
const lz4 = require('lz4-napi');
const { Pool } = require('pg');
const Redis = require('ioredis');

function env(name, fallback) {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  console.error(`node-scan-consumer: ${name} is required`);
  process.exit(2);
}

const BROKERS = env('KAFKA_BROKERS').split(',').map((s) => s.trim()).filter(Boolean);
const DATABASE_URL = env('DATABASE_URL');
const REDIS_URL = env('REDIS_URL');
const TOPIC = env('TOPIC', 'analytics-events');
const GROUP_ID = env('GROUP_ID', 'nodepeer-scan-analytics');
const CONCURRENCY = 4;
const VISITOR_SALT = process.env.SCAN_VISITOR_SALT || 'qrfleet-visitor-v1';
const BOT_RE = /bot|crawler|spider/i;
const PREFIX = 'nodepeer:';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS nodepeer;
CREATE TABLE IF NOT EXISTS nodepeer.scan_events (
  event_id        uuid PRIMARY KEY,
  qr_code_id      text        NOT NULL,
  owner_id        text        NOT NULL,
  scanned_at      timestamptz NOT NULL,
  visitor_id      text        NOT NULL,
  country         text,
  referrer        text,
  language        text,
  is_bot          boolean     NOT NULL,
  kafka_partition int         NOT NULL,
  kafka_offset    bigint      NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS nodepeer.qr_daily (
  qr_code_id text   NOT NULL,
  day        date   NOT NULL,
  scans      bigint NOT NULL DEFAULT 0,
  bot_scans  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, day)
);
CREATE TABLE IF NOT EXISTS nodepeer.qr_hourly (
  qr_code_id text        NOT NULL,
  hour       timestamptz NOT NULL,
  scans      bigint      NOT NULL DEFAULT 0,
  bot_scans  bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (qr_code_id, hour)
);`;

const INSERT_EVENTS = `
INSERT INTO nodepeer.scan_events (event_id, qr_code_id, owner_id, scanned_at, visitor_id, country, referrer,
  language, is_bot, kafka_partition, kafka_offset)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::boolean[], $10::int[], $11::bigint[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id`;

const UPSERT_DAILY = `
INSERT INTO nodepeer.qr_daily AS d (qr_code_id, day, scans, bot_scans)
SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[], $4::bigint[])
ON CONFLICT (qr_code_id, day) DO UPDATE SET scans = d.scans + EXCLUDED.scans, bot_scans = d.bot_scans + EXCLUDED.bot_scans`;

const UPSERT_HOURLY = `
INSERT INTO nodepeer.qr_hourly AS h (qr_code_id, hour, scans, bot_scans)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[])
ON CONFLICT (qr_code_id, hour) DO UPDATE SET scans = h.scans + EXCLUDED.scans, bot_scans = h.bot_scans + EXCLUDED.bot_scans`;

CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => lz4.compressFrame(encoder.buffer),
  decompress: async (buffer) => lz4.decompressFrame(buffer),
});

function visitorId(ip, userAgent) {
  return crypto.createHmac('sha256', VISITOR_SALT).update(`${ip}\n${userAgent}`).digest('hex').slice(0, 32);
}

// The fields we keep of one message, or null when it is not a usable scan.recorded.
function decode(message, partition) {
  if (!message.value) return null;
  let e;
  try {
    e = JSON.parse(message.value.toString('utf8'));
  } catch {
    return null;
  }
  const p = e && e.payload;
  if (!p || e.eventType !== 'scan.recorded' || typeof e.eventId !== 'string' || !UUID_RE.test(e.eventId)
      || typeof p.qrCodeId !== 'string' || typeof p.ownerId !== 'string' || typeof p.scannedAt !== 'string') {
    return null;
  }
  const at = new Date(p.scannedAt);
  if (Number.isNaN(at.getTime())) return null;
  const iso = at.toISOString();  // UTC
  const userAgent = typeof p.userAgent === 'string' ? p.userAgent : '';
  return {
    eventId: e.eventId.toLowerCase(),
    qrCodeId: p.qrCodeId,
    ownerId: p.ownerId,
    scannedAt: iso,
    day: iso.slice(0, 10),
    hour: `${iso.slice(0, 13)}:00:00Z`,
    visitorId: visitorId(String(p.ip ?? ''), userAgent),
    country: typeof p.country === 'string' ? p.country : null,
    referrer: typeof p.referrer === 'string' ? p.referrer : null,
    language: typeof p.language === 'string' ? p.language : null,
    isBot: BOT_RE.test(userAgent),
    partition,
    offset: message.offset,
  };
}

// Counts per (QR, day|hour), in key order (so concurrent transactions lock rows in one order),
// as the four arrays the upsert unnests.
function aggregate(events, field) {
  const m = new Map();
  for (const e of events) {
    const k = `${e.qrCodeId}\u0000${e[field]}`;
    let c = m.get(k);
    if (!c) m.set(k, (c = { qr: e.qrCodeId, at: e[field], scans: 0, bots: 0 }));
    c.scans += 1;
    if (e.isBot) c.bots += 1;
  }
  const rows = [...m.values()].sort((a, b) => (a.qr < b.qr ? -1 : a.qr > b.qr ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return [rows.map((r) => r.qr), rows.map((r) => r.at), rows.map((r) => r.scans), rows.map((r) => r.bots)];
}

async function main() {
  const pool = new Pool({ connectionString: DATABASE_URL, max: CONCURRENCY + 1 });
  pool.on('error', (err) => console.error(`node-scan-consumer: idle Postgres connection: ${err.message}`));
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null });
  redis.on('error', (err) => console.error(`node-scan-consumer: redis: ${err.message}`));
  await redis.connect();
  await pool.query(SCHEMA_SQL);

  const kafka = new Kafka({ clientId: 'nodepeer-scan-consumer', brokers: BROKERS, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: GROUP_ID });
  let skipped = 0;

  async function applyBatch({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const decoded = [];
    for (const m of batch.messages) {
      const d = decode(m, batch.partition);
      if (d) decoded.push(d); else skipped += 1;
    }

    const fresh = [];
    if (decoded.length > 0) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(INSERT_EVENTS, [
          decoded.map((e) => e.eventId), decoded.map((e) => e.qrCodeId), decoded.map((e) => e.ownerId),
          decoded.map((e) => e.scannedAt), decoded.map((e) => e.visitorId), decoded.map((e) => e.country),
          decoded.map((e) => e.referrer), decoded.map((e) => e.language), decoded.map((e) => e.isBot),
          decoded.map((e) => e.partition), decoded.map((e) => e.offset),
        ]);
        if (rows.length > 0) {
          // Only the events this transaction inserted (the first delivery of each eventId).
          const inserted = new Set(rows.map((r) => r.event_id));
          for (const e of decoded) {
            if (inserted.delete(e.eventId)) fresh.push(e);
          }
          await client.query(UPSERT_DAILY, aggregate(fresh, 'day'));
          await client.query(UPSERT_HOURLY, aggregate(fresh, 'hour'));
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;  // kafkajs retries the batch from its first offset
      } finally {
        client.release();
      }
    }

    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();

    if (fresh.length > 0) {
      const totals = new Map(), days = new Map(), visitors = new Map();
      for (const e of fresh) {
        const qrKey = `${PREFIX}qr:${e.qrCodeId}`;
        const dayPrefix = `${qrKey}:day:${e.day}`;
        totals.set(`${qrKey}:scans`, (totals.get(`${qrKey}:scans`) || 0) + 1);
        days.set(`${dayPrefix}:scans`, (days.get(`${dayPrefix}:scans`) || 0) + 1);
        const v = visitors.get(`${dayPrefix}:visitors`);
        if (v) v.push(e.visitorId); else visitors.set(`${dayPrefix}:visitors`, [e.visitorId]);
      }
      const pipe = redis.pipeline();
      for (const [k, n] of totals) pipe.incrby(k, n);
      for (const [k, n] of days) pipe.incrby(k, n);
      for (const [k, ids] of visitors) pipe.pfadd(k, ...ids);
      const results = await pipe.exec();
      for (const [err] of results) if (err) throw err;
    }
    await heartbeat();
  }

  let stopping = false;
  async function shutdown(signal) {
    if (stopping) process.exit(1);  // a second signal: at once
    stopping = true;
    try {
      await consumer.disconnect();  // finishes the batches in flight, leaves the group
      await pool.end();
      await redis.quit();
    } catch (err) {
      console.error(`node-scan-consumer: error while stopping on ${signal}: ${err.message}`);
      process.exit(1);
    }
    if (skipped > 0) console.error(`node-scan-consumer: skipped ${skipped} undecodable or foreign messages`);
    process.exit(0);
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    // kafkajs restarts after retriable errors; after any other it would sit idle.
    if (!payload.restart) {
      console.error(`node-scan-consumer: consumer crashed: ${payload.error && payload.error.message}`);
      process.exit(1);
    }
  });

  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: CONCURRENCY,
    eachBatchAutoResolve: false,
    eachBatch: applyBatch,
  });
}

main().catch((err) => {
  console.error(`node-scan-consumer: ${err.stack || err}`);
  process.exit(1);
});
