#!/usr/bin/env python3
"""Delivers Stripe events to a webhook endpoint the way Stripe does, signed by
Stripe's own Python library (stripe.WebhookSignature.generate_signature_header),
so the gateway is tested against the signature Stripe makes, not against our
reading of Stripe's documentation.

    stripe_webhooks.py --url URL --secret S --events FILE.jsonl [options]

FILE.jsonl holds one Stripe Event object per line; each line is sent as the
exact body. Prints one JSON line per event:
    {"id": "evt_..", "status": 200, "attempts": 2, "stripeAccepts": true, "statuses": [503, 200],
     "answeredAt": <Unix seconds of the last answer>}
"stripeAccepts" is Stripe's library's own verdict on the header sent (verified
with the endpoint's real secret), so a test can hold the gateway to it.

Options:
  --sign-secret S        sign with this secret instead of --secret (a wrong secret)
  --timestamp-offset N   sign with a timestamp N seconds from now (negative: stale)
  --tamper               change the body after signing
  --no-header            send no Stripe-Signature header
  --repeat N             send every event N times
  --concurrency N        this many deliveries at once (threads)
  --retry-seconds N      like Stripe: on anything but 2xx (or no answer) try again,
                         re-signed, until 2xx or N seconds passed
  --rate N               start no more than N deliveries a second, so a run lasts
                         at least events/N seconds however fast the machine is
"""
import argparse
import concurrent.futures
import json
import sys
import threading
import time
import urllib.error
import urllib.request

import stripe


def deliver(url, body, args):
    statuses = []
    deadline = time.time() + args.retry_seconds
    while True:
        payload = body
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
        header = stripe.WebhookSignature.generate_signature_header(
            payload, args.sign_secret or args.secret, int(time.time()) + args.timestamp_offset)
        if args.tamper:
            payload = payload.replace('"amount":', '"amount":1', 1) if '"amount":' in payload else payload + " "
        try:
            stripe.WebhookSignature.verify_header(payload, None if args.no_header else header, args.secret, 300)
            stripe_accepts = True
        except stripe.SignatureVerificationError:
            stripe_accepts = False
        if not args.no_header:
            headers["Stripe-Signature"] = header
        request = urllib.request.Request(url, data=payload.encode("utf-8"), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            status = 0  # no answer: the connection was refused or dropped
        statuses.append(status)
        if 200 <= status < 300 or args.retry_seconds <= 0 or time.time() >= deadline:
            return {"status": status, "attempts": len(statuses), "statuses": statuses, "stripeAccepts": stripe_accepts,
                    "answeredAt": time.time()}
        time.sleep(0.2)


class Pace:
    """Hands out start times 1/rate apart; rate 0 means no pacing."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = time.time()
        self.lock = threading.Lock()

    def wait(self):
        if not self.interval:
            return None
        with self.lock:
            start = max(self.next, time.time())
            self.next = start + self.interval
        time.sleep(max(0.0, start - time.time()))
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--sign-secret", default="")
    p.add_argument("--timestamp-offset", type=int, default=0)
    p.add_argument("--tamper", action="store_true")
    p.add_argument("--no-header", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--retry-seconds", type=float, default=0)
    p.add_argument("--rate", type=float, default=0)
    args = p.parse_args()
    with open(args.events, encoding="utf-8") as f:
        bodies = [line.rstrip("\n") for line in f if line.strip()]
    jobs = [b for b in bodies for _ in range(args.repeat)]
    pace = Pace(args.rate)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
        results = list(pool.map(lambda b: (b, pace.wait() or deliver(args.url, b, args)), jobs))
    for body, result in results:
        result["id"] = json.loads(body)["id"]
        print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
