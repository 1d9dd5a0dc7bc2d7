'use strict';
// A reference Node.js Stripe webhook receiver, written the way a competent Node
// team would write one by hand, for `scripts/bench payments` to compare
// qrfleet-webhook-gateway against. Not part of the fleet.
//
// POST /webhooks/stripe: the raw body (at most 256 KiB, else 413); the
// Stripe-Signature header checked as Stripe documents it (t and the v1
// signatures; v1 = hex HMAC-SHA256(secret, "<t>.<raw body>"), compared in
// constant time with crypto.timingSafeEqual; t at most 300 s from now); the
// Event normalized into the fleet's payment.* envelope (key customerId, the
// raw body kept in it as the claim check); produced with kafkajs (acks -1,
// idempotent) and answered 200 only once the broker acknowledged it. 400 for a
// bad signature or body, 503 when the send fails or takes over 5 s. Event
// types it does not normalize are answered 200 and dropped, as Stripe asks.
// GET /readyz: 200 while the producer is connected.
//
// One process, one event loop, no cluster module: how a typical team runs such
// a service (more replicas behind the load balancer when it needs more).
//
// kafkajs sends one Produce request per producer.send() call, and its
// idempotent producer holds a lock per broker for the whole round trip, so one
// send per webhook would allow one webhook per broker round trip. Webhooks that
// arrive while a send is in flight therefore wait and go out together in the
// next send (up to 256 messages / 900 KB, under the broker's 1 MB per
// partition batch), each answered when that send resolved: the batching a team
// adds the first time it measures.
//
// No compression: kafkajs has no LZ4 (the gateway's codec), and gzip would cost
// the one event loop more than it saves on loopback; this flatters Node a little.
//
// Environment: KAFKA_BROKERS, WEBHOOK_TOPIC (default payment-events),
// STRIPE_WEBHOOK_SECRETS (comma-separated: several while a secret is rolled),
// WEBHOOK_PORT (default 8080).

const crypto = require('crypto');
const http = require('http');
const { Kafka, logLevel, Partitioners } = require('kafkajs');

function env(name, fallback) {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  console.error(`node-webhook-gateway: ${name} is required`);
  process.exit(2);
}

const BROKERS = env('KAFKA_BROKERS').split(',').map((s) => s.trim()).filter(Boolean);
const TOPIC = env('WEBHOOK_TOPIC', 'payment-events');
const SECRETS = env('STRIPE_WEBHOOK_SECRETS').split(',').map((s) => s.trim()).filter(Boolean);
const PORT = Number(env('WEBHOOK_PORT', '8080'));
const MAX_BODY_BYTES = 256 * 1024;
const TOLERANCE_SECONDS = 300;
const SEND_TIMEOUT_MS = 5000;  // the gateway's WEBHOOK_ACK_TIMEOUT_MS default
const MAX_SEND_MESSAGES = 256;
const MAX_SEND_BYTES = 900 * 1024;

class BadRequest extends Error {}

// Stripe's scheme: "t=1492774577,v1=5257a8...,v1=...,v0=..." (v0 and unknown keys ignored).
function verifyStripeSignature(header, body, nowSeconds) {
  if (typeof header !== 'string' || header === '') throw new BadRequest('no Stripe-Signature header');
  let timestamp = null;
  const signatures = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't') timestamp = /^\d{1,12}$/.test(value) ? Number(value) : NaN;
    else if (key === 'v1' && value !== '') signatures.push(Buffer.from(value, 'utf8'));
  }
  if (timestamp === null || Number.isNaN(timestamp) || signatures.length === 0) {
    throw new BadRequest('malformed Stripe-Signature header');
  }
  let matched = false;
  for (const secret of SECRETS) {
    const expected = Buffer.from(
      crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex'), 'utf8');
    for (const candidate of signatures) {
      // timingSafeEqual throws on different lengths; the length is no secret.
      if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) throw new BadRequest('no signature matches');
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) throw new BadRequest('timestamp outside the tolerance');
}

// The envelope's eventId depends on the Stripe event id alone, so Stripe's
// redeliveries carry the same id (a name-based UUID, version 5 layout).
function eventIdOf(providerEventId) {
  const h = crypto.createHash('sha1').update(`stripe\n${providerEventId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const str = (v) => (typeof v === 'string' && v !== '' ? v : undefined);
const customerOf = (o) => str(o.customer) || (o.customer && str(o.customer.id));

// The fleet's payment event type and payload fields of a Stripe Event, or null
// when it is a type we do not take.
function normalize(event) {
  const o = event.data && event.data.object;
  if (!o || typeof o !== 'object' || typeof o.id !== 'string') throw new BadRequest('no data.object');
  const card = o.payment_method_details && o.payment_method_details.card;
  const charge = () => ({
    amount: o.amount,
    currency: typeof o.currency === 'string' ? o.currency.toUpperCase() : undefined,
    paymentMethodFingerprint: card ? str(card.fingerprint) : undefined,
    invoiceId: str(o.invoice),
  });
  switch (event.type) {
    case 'charge.succeeded':
      return { type: 'payment.succeeded', fields: charge() };
    case 'charge.failed':
      return { type: 'payment.failed',
               fields: { ...charge(), failureCode: str(o.failure_code), failureMessage: str(o.failure_message) } };
    case 'charge.refunded':
      return { type: 'payment.refunded',
               fields: { amount: o.amount_refunded, currency: charge().currency, paymentObjectId: o.id } };
    case 'charge.dispute.created':
      return { type: 'payment.disputed',
               fields: { amount: o.amount, currency: charge().currency, paymentObjectId: str(o.charge), reason: str(o.reason) } };
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return { type: event.type === 'invoice.paid' ? 'invoice.paid' : 'invoice.payment-failed',
               fields: { amount: event.type === 'invoice.paid' ? o.amount_paid : o.amount_due,
                         currency: charge().currency, subscriptionId: str(o.subscription),
                         attemptCount: event.type === 'invoice.paid' ? undefined : o.attempt_count } };
    default:
      return null;
  }
}

function envelopeOf(event, rawBody, receivedAt) {
  if (typeof event.id !== 'string' || event.id === '' || !Number.isInteger(event.created)) {
    throw new BadRequest('not a Stripe Event');
  }
  const n = normalize(event);
  if (!n) return null;
  const customerId = customerOf(event.data.object);
  if (!customerId) throw new BadRequest('no customer');
  if (!Number.isInteger(n.fields.amount) || !/^[A-Z]{3}$/.test(n.fields.currency || '')) {
    throw new BadRequest('no amount or currency');
  }
  const payload = {
    provider: 'stripe',
    providerEventId: event.id,
    providerObjectId: event.data.object.id,
    customerId,
    occurredAt: new Date(event.created * 1000).toISOString(),
    webhook: {
      receivedAt: receivedAt.toISOString(),
      bodySha256: crypto.createHash('sha256').update(rawBody).digest('hex'),
      body: rawBody.toString('utf8'),
    },
  };
  for (const [k, v] of Object.entries(n.fields)) if (v !== undefined && v !== null) payload[k] = v;
  const eventId = eventIdOf(event.id);
  return {
    key: customerId,
    value: JSON.stringify({ eventId, eventType: n.type, version: 1, timestamp: receivedAt.toISOString(),
                            source: 'node-webhook-gateway', payload }),
    headers: { 'event-type': n.type, 'event-version': '1', 'event-id': eventId },
  };
}

// Messages queued while a send is in flight go out together in the next one.
class SendQueue {
  constructor(producer) {
    this.producer = producer;
    this.waiting = [];
    this.sending = false;
  }

  push(message) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      // setImmediate: the requests parsed in this turn of the event loop join the send.
      if (!this.sending && this.waiting.length === 1) setImmediate(() => this.sendNext());
    });
  }

  async sendNext() {
    if (this.sending || this.waiting.length === 0) return;
    this.sending = true;
    let bytes = 0, n = 0;
    while (n < this.waiting.length && n < MAX_SEND_MESSAGES && (n === 0 || bytes < MAX_SEND_BYTES)) {
      bytes += this.waiting[n].message.value.length;
      n += 1;
    }
    const batch = this.waiting.splice(0, n);
    try {
      await this.producer.send({ topic: TOPIC, acks: -1, messages: batch.map((w) => w.message) });
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.sending = false;
      if (this.waiting.length > 0) this.sendNext();
    }
  }
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function answer(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) return reject(Object.assign(new Error('body too large'), { status: 413 }));
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

// The HTTP server; `queue` takes the messages, `isReady` says whether Kafka is connected.
function createServer(queue, isReady) {
  async function webhook(req, res) {
    let body;
    try {
      body = await readBody(req);
    } catch (err) {
      res.setHeader('Connection', 'close');  // the rest of the body is not read
      return answer(res, err.status || 400, err.message);
    }
    const receivedAt = new Date();
    let message;
    try {
      verifyStripeSignature(req.headers['stripe-signature'], body, Math.floor(receivedAt.getTime() / 1000));
      let event;
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        throw new BadRequest('body is not JSON');
      }
      if (!event || typeof event !== 'object') throw new BadRequest('body is not a JSON object');
      message = envelopeOf(event, body, receivedAt);
    } catch (err) {
      if (err instanceof BadRequest) return answer(res, 400, err.message);
      throw err;
    }
    if (!message) return answer(res, 200, 'ignored');
    try {
      await withTimeout(queue.push(message), SEND_TIMEOUT_MS);
    } catch (err) {
      return answer(res, 503, `not stored: ${err.message}`);
    }
    answer(res, 200, 'ok');
  }

  return http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/webhooks/stripe') {
      webhook(req, res).catch((err) => {
        console.error(`node-webhook-gateway: ${err.stack || err}`);
        if (!res.headersSent) answer(res, 500, 'internal error');
      });
    } else if (req.method === 'GET' && path === '/readyz') {
      const ready = isReady();
      answer(res, ready ? 200 : 503, ready ? 'ready' : 'not connected to Kafka');
    } else {
      answer(res, 404, 'not found');
    }
  });
}

async function main() {
  if (SECRETS.length === 0) {
    console.error('node-webhook-gateway: STRIPE_WEBHOOK_SECRETS names no secret');
    process.exit(2);
  }
  const kafka = new Kafka({ clientId: 'node-webhook-gateway', brokers: BROKERS, logLevel: logLevel.WARN });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  let connected = false;
  producer.on(producer.events.CONNECT, () => { connected = true; });
  producer.on(producer.events.DISCONNECT, () => { connected = false; });
  await producer.connect();
  const server = createServer(new SendQueue(producer), () => connected);
  server.listen(PORT, '0.0.0.0');

  let stopping = false;
  async function shutdown() {
    if (stopping) process.exit(1);  // a second signal: at once
    stopping = true;
    server.close();
    await producer.disconnect().catch(() => {});
    process.exit(0);
  }
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// Exported for a harness that runs it against a stand-in producer.
module.exports = { verifyStripeSignature, envelopeOf, SendQueue, createServer };

if (require.main === module) {
  main().catch((err) => {
    console.error(`node-webhook-gateway: ${err.stack || err}`);
    process.exit(1);
  });
}
