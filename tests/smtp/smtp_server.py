#!/usr/bin/python3
"""qrfleet's test SMTP server: a real SMTP submission server on loopback that
insists on what production relays insist on (STARTTLS first, then AUTH PLAIN or
LOGIN), so the notification worker's mail path is tested through libcurl's
real SMTP conversation, not a stub. Every accepted message becomes one JSON
line in --log, which is how tests count deliveries per idempotency key.

  --port N                      listen on 127.0.0.1:N
  --cert F --key F              the TLS certificate and key; made (self-signed,
                                for IP 127.0.0.1) if either is missing
  --user U --password P         the only credentials AUTH accepts
  --log F                       where accepted messages are appended, one JSON
                                object a line: at, mailFrom, rcptTos, messageId,
                                idempotencyKey, subject, text, html, size
  --reject-rcpt-domain D        RCPT TO a D address gets 550 5.1.1 (repeatable)
  --delay-ms N                  hold each message's DATA answer N ms

Prints "listening on 127.0.0.1:N" once it accepts connections; exits 0 on
SIGTERM or SIGINT.

Runs on Debian's python3-aiosmtpd (1.4), hence /usr/bin/python3.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.exit(f"smtp_server.py: aiosmtpd is missing for {sys.executable} "
             "(apt-get install python3-aiosmtpd, and run it with /usr/bin/python3)")


def ensure_certificate(cert, key):
    if os.path.exists(cert) and os.path.exists(key):
        return
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def credentials_check(user, password):
    expected = LoginPassword(user.encode(), password.encode())

    def authenticate(server, session, envelope, mechanism, auth_data):
        # handled=False: aiosmtpd answers a failure with 535 5.7.8 itself.
        return AuthResult(success=auth_data == expected, handled=False, auth_data=auth_data)

    return authenticate


def text_of(message, subtype):
    # SMTP carries every line with CRLF; the log gives the text as it was written.
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content().replace("\r\n", "\n") if part is not None else None


def clean(value):
    # Undecodable bytes come through as lone surrogates, which JSON readers refuse.
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def describe(envelope, arrived):
    raw = envelope.original_content or envelope.content or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    record = {"at": arrived, "mailFrom": envelope.mail_from, "rcptTos": list(envelope.rcpt_tos),
              "messageId": None, "idempotencyKey": None, "subject": None, "text": None, "html": None,
              "size": len(raw)}
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        if message["Message-ID"] is not None:
            record["messageId"] = str(message["Message-ID"]).strip().strip("<>")
        if message["X-Idempotency-Key"] is not None:
            record["idempotencyKey"] = str(message["X-Idempotency-Key"]).strip()
        if message["Subject"] is not None:
            record["subject"] = str(message["Subject"])
        record["text"] = text_of(message, "plain")
        record["html"] = text_of(message, "html")
    except Exception as error:  # a message we cannot parse is still logged: the server accepted it
        record["parseError"] = repr(error)
    return {name: clean(value) for name, value in record.items()}


class Recorder:
    """The SMTP handler: refuses the configured domains, logs what it accepts."""

    def __init__(self, log, reject_domains, delay_seconds):
        self.log = log
        self.reject_domains = {d.lower() for d in reject_domains}
        self.delay_seconds = delay_seconds

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rpartition("@")[2].lower() in self.reject_domains:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)
        record = describe(envelope, arrived)
        self.log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.log.flush()
        return "250 2.0.0 OK: queued as " + (record["messageId"] or "unknown")


async def serve(args):
    ensure_certificate(args.cert, args.key)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    log = open(args.log, "a", encoding="utf-8")
    handler = Recorder(log, args.reject_rcpt_domain, args.delay_ms / 1000.0)
    authenticate = credentials_check(args.user, args.password)
    loop = asyncio.get_running_loop()

    def session():
        return SMTP(handler, hostname="qrfleet-test-smtp", tls_context=tls, require_starttls=True,
                    auth_required=True, auth_require_tls=True, authenticator=authenticate,
                    enable_SMTPUTF8=True, loop=loop)

    server = await loop.create_server(session, host="127.0.0.1", port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    await stop.wait()
    server.close()
    try:  # newer Pythons wait for open sessions too, and a client may keep one idle
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass
    log.close()
    print("stopped", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", default="qrfleet")
    parser.add_argument("--password", default="smtp-secret")
    parser.add_argument("--log", required=True)
    parser.add_argument("--reject-rcpt-domain", action="append", default=[])
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # aiosmtpd 1.4 warns about its own use of login_data on every AUTH: noise in a benchmark's log.
    logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
