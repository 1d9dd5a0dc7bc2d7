// qrfleet-test-webhook-load: a Stripe-style webhook load generator for
// `scripts/bench payments`. It POSTs charge.succeeded Events of about 2 KB
// (the fields a real Stripe charge carries), each with its own event id and
// signed when it is sent, as Stripe signs them:
//
//	Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
//	qrfleet-test-webhook-load -url http://127.0.0.1:24808/webhooks/stripe -secret whsec_x \
//	    [-n 1000] [-concurrency 64] [-rate 0] [-customers 1000] [-id-prefix P] [-timeout 30s]
//
// -concurrency connections are kept alive, each carrying one request at a time.
// With -rate R > 0 the load is open-loop: request i is due at start + i/R
// whether or not earlier ones were answered, and its latency counts from that
// due time, so a server that stalls is charged for the requests that queued
// behind the stall (no coordinated omission). With -rate 0 every connection
// sends its next request as soon as the last is answered, and latency counts
// from the send.
//
// Prints one JSON object:
//
//	{"requests", "ok" (2xx), "non2xx", "errors" (no answer: refused, reset, timeout),
//	 "seconds" (start to the last answer), "perSecond" (ok / seconds),
//	 "p50Ms", "p99Ms", "maxMs" (over the requests that got an answer),
//	 "statuses": {"200": n, ...}}
//
// Exits 1 on a bad flag, 0 otherwise (a caller judges ok against requests).
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	url         string
	secret      string
	requests    int
	concurrency int
	rate        float64
	customers   int
	idPrefix    string
	timeout     time.Duration
}

var errReported = errors.New("reported")

// Ids go into JSON unescaped and look like Stripe's (evt_1NG8Du2eZvKYlo2C...).
var idPrefixPattern = regexp.MustCompile(`^[A-Za-z0-9]{0,40}$`)

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("qrfleet-test-webhook-load", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "the webhook endpoint, e.g. http://127.0.0.1:24808/webhooks/stripe (required)")
	fs.StringVar(&o.secret, "secret", "", "the endpoint's signing secret (required)")
	fs.IntVar(&o.requests, "n", 1000, "requests to send")
	fs.IntVar(&o.concurrency, "concurrency", 64, "keep-alive connections, one request in flight on each")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second, paced open-loop; 0 = as fast as the connections allow")
	fs.IntVar(&o.customers, "customers", 1000, "distinct customers (and card fingerprints) the charges spread over")
	fs.StringVar(&o.idPrefix, "id-prefix", "", "letters and digits every event, charge and request id starts with (default: from the clock, so runs do not collide)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "per request, from its send")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errReported // the flag package printed it, with the usage
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	u, err := url.Parse(o.url)
	switch {
	case o.url == "":
		return o, errors.New("-url is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return o, fmt.Errorf("-url %q is not an http(s) URL", o.url)
	case o.secret == "":
		return o, errors.New("-secret is required")
	case o.requests < 1:
		return o, fmt.Errorf("-n must be at least 1, got %d", o.requests)
	case o.concurrency < 1:
		return o, fmt.Errorf("-concurrency must be at least 1, got %d", o.concurrency)
	case o.rate < 0 || o.rate != o.rate:
		return o, fmt.Errorf("-rate must be 0 or more, got %v", o.rate)
	case o.customers < 1:
		return o, fmt.Errorf("-customers must be at least 1, got %d", o.customers)
	case !idPrefixPattern.MatchString(o.idPrefix):
		return o, fmt.Errorf("-id-prefix must be up to 40 letters and digits, got %q", o.idPrefix)
	case o.timeout <= 0:
		return o, fmt.Errorf("-timeout must be positive, got %v", o.timeout)
	}
	if o.idPrefix == "" {
		o.idPrefix = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return o, nil
}

// A charge.succeeded Event with the fields Stripe sends (API version
// 2024-06-20); {name} marks what changes per request. It is sent without the
// indentation (2.4 KB; Stripe's own indented bodies of it are 3.4 KB).
const eventTemplate = `{
  "id": "evt_{uniq}",
  "object": "event",
  "api_version": "2024-06-20",
  "created": {created},
  "data": {
    "object": {
      "id": "ch_{uniq}",
      "object": "charge",
      "amount": 1999,
      "amount_captured": 1999,
      "amount_refunded": 0,
      "application": null,
      "application_fee": null,
      "application_fee_amount": null,
      "balance_transaction": "txn_{uniq}",
      "billing_details": {
        "address": {
          "city": "Berlin",
          "country": "DE",
          "line1": "Friedrichstrasse 123",
          "line2": null,
          "postal_code": "10117",
          "state": null
        },
        "email": "{cus}@example.com",
        "name": "Jenny Rosen",
        "phone": null
      },
      "calculated_statement_descriptor": "QRFLEET PRO",
      "captured": true,
      "created": {created},
      "currency": "eur",
      "customer": "{cus}",
      "description": "Subscription update",
      "destination": null,
      "dispute": null,
      "disputed": false,
      "failure_balance_transaction": null,
      "failure_code": null,
      "failure_message": null,
      "fraud_details": {},
      "invoice": null,
      "livemode": false,
      "metadata": {
        "order_id": "ord_{uniq}",
        "plan": "pro-monthly"
      },
      "on_behalf_of": null,
      "order": null,
      "outcome": {
        "network_status": "approved_by_network",
        "reason": null,
        "risk_level": "normal",
        "risk_score": 32,
        "seller_message": "Payment complete.",
        "type": "authorized"
      },
      "paid": true,
      "payment_intent": "pi_{uniq}",
      "payment_method": "pm_{cus}",
      "payment_method_details": {
        "card": {
          "amount_authorized": 1999,
          "brand": "visa",
          "checks": {
            "address_line1_check": "pass",
            "address_postal_code_check": "pass",
            "cvc_check": "pass"
          },
          "country": "DE",
          "exp_month": 8,
          "exp_year": 2027,
          "extended_authorization": {"status": "disabled"},
          "fingerprint": "{fp}",
          "funding": "credit",
          "incremental_authorization": {"status": "unavailable"},
          "installments": null,
          "last4": "4242",
          "mandate": null,
          "multicapture": {"status": "unavailable"},
          "network": "visa",
          "network_token": {"used": false},
          "overcapture": {"maximum_amount_capturable": 1999, "status": "unavailable"},
          "three_d_secure": null,
          "wallet": null
        },
        "type": "card"
      },
      "radar_options": {},
      "receipt_email": null,
      "receipt_number": null,
      "receipt_url": "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xTzJ4UkVBa1k3UnVuaWw2KJ7V2bYGMgYeY7ux0Ug6LBYUoDfTvBCWLfdQ5DqvK2Q7E8tDk1vNcQ1ZFrXbPWuFbQyDp4wSxr1W3mVf",
      "refunded": false,
      "review": null,
      "shipping": null,
      "source": null,
      "source_transfer": null,
      "statement_descriptor": null,
      "statement_descriptor_suffix": null,
      "status": "succeeded",
      "transfer_data": null,
      "transfer_group": null
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": "req_{uniq}",
    "idempotency_key": "{uniq}-charge"
  },
  "type": "charge.succeeded"
}
`

// The template cut at its placeholders, so a body is a few appends.
type bodyTemplate struct {
	literals []string // len(fields) + 1
	fields   []string // "uniq", "created", "cus" or "fp"
}

var placeholders = []string{"uniq", "created", "cus", "fp"}

// The template without the whitespace between JSON tokens (its strings hold no quotes).
func compactJSON(t string) string {
	var b strings.Builder
	inString := false
	for _, c := range t {
		switch {
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\n'):
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func compileTemplate(t string) bodyTemplate {
	t = compactJSON(t)
	var bt bodyTemplate
	for {
		at, name := -1, ""
		for _, p := range placeholders {
			if i := strings.Index(t, "{"+p+"}"); i >= 0 && (at < 0 || i < at) {
				at, name = i, p
			}
		}
		if at < 0 {
			bt.literals = append(bt.literals, t)
			return bt
		}
		bt.literals = append(bt.literals, t[:at])
		bt.fields = append(bt.fields, name)
		t = t[at+len(name)+2:]
	}
}

func (bt *bodyTemplate) render(uniq, created, customer, fingerprint string) []byte {
	buf := make([]byte, 0, 2560)
	for i, f := range bt.fields {
		buf = append(buf, bt.literals[i]...)
		switch f {
		case "uniq":
			buf = append(buf, uniq...)
		case "created":
			buf = append(buf, created...)
		case "cus":
			buf = append(buf, customer...)
		case "fp":
			buf = append(buf, fingerprint...)
		}
	}
	return append(buf, bt.literals[len(bt.literals)-1]...)
}

type outcome struct {
	status  int           // 0: no answer
	latency time.Duration // from the due time (paced) or the send
}

type report struct {
	Requests  int            `json:"requests"`
	OK        int            `json:"ok"`
	Non2xx    int            `json:"non2xx"`
	Errors    int            `json:"errors"`
	Seconds   float64        `json:"seconds"`
	PerSecond float64        `json:"perSecond"`
	P50Ms     float64        `json:"p50Ms"`
	P99Ms     float64        `json:"p99Ms"`
	MaxMs     float64        `json:"maxMs"`
	Statuses  map[string]int `json:"statuses"`
}

// Nearest rank of sorted latencies.
func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return float64(sorted[rank]) / float64(time.Millisecond)
}

func summarize(outcomes []outcome, elapsed time.Duration) report {
	r := report{Requests: len(outcomes), Seconds: elapsed.Seconds(), Statuses: map[string]int{}}
	latencies := make([]time.Duration, 0, len(outcomes))
	for _, o := range outcomes {
		switch {
		case o.status == 0:
			r.Errors++
			continue
		case o.status >= 200 && o.status < 300:
			r.OK++
		default:
			r.Non2xx++
		}
		r.Statuses[strconv.Itoa(o.status)]++
		latencies = append(latencies, o.latency)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if r.Seconds > 0 {
		r.PerSecond = float64(r.OK) / r.Seconds
	}
	r.P50Ms = quantileMs(latencies, 0.50)
	r.P99Ms = quantileMs(latencies, 0.99)
	if len(latencies) > 0 {
		r.MaxMs = float64(latencies[len(latencies)-1]) / float64(time.Millisecond)
	}
	return r
}

// One connection's sender: it owns its HMAC. A body is never reused: the
// transport may still read it after Do returned.
type sender struct {
	o      *options
	client *http.Client
	tmpl   *bodyTemplate
	mac    hash.Hash
	sum    []byte
}

// Sends request i; the signature's t is the clock at the send.
func (s *sender) send(i int) (int, error) {
	uniq := s.o.idPrefix + strconv.Itoa(i)
	k := strconv.Itoa(i % s.o.customers)
	now := time.Now().Unix()
	created := strconv.FormatInt(now, 10)
	body := s.tmpl.render(uniq, created, "cus_"+k, "fp_"+k)

	s.mac.Reset()
	s.mac.Write([]byte(created))
	s.mac.Write([]byte{'.'})
	s.mac.Write(body)
	s.sum = s.mac.Sum(s.sum[:0])

	req, err := http.NewRequest(http.MethodPost, s.o.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Stripe-Signature", "t="+created+",v1="+hex.EncodeToString(s.sum))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Read to the end, or the connection is not reused.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func run(o options, tmpl *bodyTemplate) report {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.concurrency,
		MaxIdleConnsPerHost: o.concurrency,
		MaxConnsPerHost:     o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: transport, Timeout: o.timeout}
	defer transport.CloseIdleConnections()

	outcomes := make([]outcome, o.requests)
	var next atomic.Int64
	var lastAnswer atomic.Int64 // nanoseconds after start
	var firstError sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &sender{o: &o, client: client, tmpl: tmpl, mac: hmac.New(sha256.New, []byte(o.secret))}
			for {
				i := int(next.Add(1) - 1)
				if i >= o.requests {
					return
				}
				var due time.Time
				if o.rate > 0 {
					due = start.Add(time.Duration(float64(i) / o.rate * float64(time.Second)))
					if wait := time.Until(due); wait > 0 {
						time.Sleep(wait)
					}
				} else {
					due = time.Now()
				}
				status, err := s.send(i)
				done := time.Now()
				if err != nil {
					firstError.Do(func() { fmt.Fprintf(os.Stderr, "qrfleet-test-webhook-load: first failed request: %v\n", err) })
				}
				outcomes[i] = outcome{status: status, latency: done.Sub(due)}
				for at := int64(done.Sub(start)); ; {
					prev := lastAnswer.Load()
					if at <= prev || lastAnswer.CompareAndSwap(prev, at) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	return summarize(outcomes, time.Duration(lastAnswer.Load()))
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		if err != errReported {
			fmt.Fprintf(os.Stderr, "qrfleet-test-webhook-load: %v\n", err)
		}
		os.Exit(1)
	}
	tmpl := compileTemplate(eventTemplate)
	out, err := json.Marshal(run(o, &tmpl))
	if err != nil {
		fmt.Fprintf(os.Stderr, "qrfleet-test-webhook-load: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
