// qrfleet-test-provider: a local HTTP server that speaks the API shapes of the
// providers the workers call (a generic one, FCM HTTP v1 push, Twilio SMS,
// SendGrid v3 mail), so the outside-call and notification tests and benchmarks
// run against real request and answer shapes without the real services. It
// logs every message with its idempotency key and recipient (deliveries can be
// counted per key) and fails on demand (outages can be scripted).
//
// Generic:
//
//	POST /v1/messages          Authorization: Bearer <token>, Idempotency-Key: <key>,
//	                           body {"n": <int>, "to": <optional recipient>, ...};
//	                           answers 200 {"id": "msg-<key>"} or what the mode says
//
// Push, FCM HTTP v1 style (the per-message key is message.data.idempotencyKey):
//
//	POST /v1/projects/{project}/messages:send        Authorization: Bearer <token>,
//	     {"message": {"token": "<device>", "notification": {"title", "body"},
//	                  "data": {"idempotencyKey": "<key>", ...string values}}}
//	     → 200 {"name": "projects/{project}/messages/msg-<key>"}; errors are Google's
//	       {"error": {"code", "message", "status": "NOT_FOUND"...,
//	                  "details": [{"@type": ...FcmError, "errorCode": "UNREGISTERED"...}]}}
//	POST /v1/projects/{project}/messages:sendEach    (our multicast) {"messages": [<message>, ...]},
//	     1..500 messages → 200 {"responses": [{"name": ...} or
//	       {"error": {"code": 404, "status": "UNREGISTERED", "message", "details"}}, ...]},
//	     in request order
//
// SMS, Twilio style:
//
//	POST /2010-04-01/Accounts/{AccountSid}/Messages.json   basic auth AccountSid:<token>,
//	     form To, From (or MessagingServiceSid), Body; header I-Twilio-Idempotency-Token: <key>
//	     → 201 {"sid": "SMmsg-<key>", "status": "queued", "to", "from", "body", ...};
//	       To not E.164 → 400 {"code": 21211, "message": "Invalid 'To' Phone Number", ...}
//
// Email, SendGrid v3 style:
//
//	POST /v3/mail/send         Authorization: Bearer <token>, Idempotency-Key: <key> (or
//	     body headers["Idempotency-Key"]), {"personalizations": [{"to": [{"email"}]}],
//	     "from": {"email"}, "subject", "content": [{"type", "value"}], "headers"}
//	     → 202, empty body, X-Message-Id: msg-<key>; an address without "@" → 400
//	       {"errors": [{"message": "Does not contain a valid address.", "field": "personalizations.0.to.0.email"}]}
//
// Billing, Stripe style (the dunning's calls; perTo is keyed by the invoice or subscription id):
//
//	POST   /v1/invoices/{id}/pay       Authorization: Bearer <token>, Idempotency-Key: <key>
//	       → 200 {"id": "<id>", "object": "invoice", "status": "paid", "paid": true}
//	DELETE /v1/subscriptions/{id}      Authorization: Bearer <token>, Idempotency-Key: <key>
//	       → 200 {"id": "<id>", "object": "subscription", "status": "canceled"}
//	       Failures are Stripe's {"error": {"type", "code", "message"}}: 402 card_error
//	       card_declined "Your card was declined." (a decline), 404 invalid_request_error
//	       resource_missing, 400 invalid_request_error parameter_invalid, 401 (no "code"),
//	       429 rate_limit (with Retry-After), 500/503 api_error; timeout answers nothing.
//
// Control:
//
//	POST /control/mode         {"default": "ok", "delayMs": 0, "retryAfterSeconds": 1,
//	                            "perN": {"5": ["429", "ok"]}, "perTo": {"+15550001": ["500", "ok"]}}
//	                           Behaviours: ok, 400, 401, 402, 404, 429 (with Retry-After), 500,
//	                           503, timeout (no answer for 30 s). perN (generic endpoint, by
//	                           body n) and perTo (any endpoint, by recipient: device token,
//	                           phone number, email address, or the billing endpoints'
//	                           invoice or subscription id) give the i-th request the
//	                           i-th entry, the last one repeating; perN wins over perTo,
//	                           both over default. delayMs holds every HTTP request (a
//	                           multicast once). Wrong credentials always get 401.
//	                           A multicast: the default's failures (400, 401, 429, 500, 503,
//	                           timeout) fail the whole call, a default 404 makes every
//	                           message UNREGISTERED; a recipient's scripted failure becomes
//	                           that message's error entry (400 INVALID_ARGUMENT, 401
//	                           THIRD_PARTY_AUTH_ERROR, 404 UNREGISTERED, 429 QUOTA_EXCEEDED,
//	                           500 INTERNAL, 503 UNAVAILABLE), except timeout, which holds
//	                           the whole call. Unknown behaviours are refused (400).
//	GET  /control/log          every message so far, in arrival order (JSON): key, n (-1 but
//	                           on the generic endpoint), at (Unix seconds), status (0: no
//	                           answer), instance (X-Instance), kind ("messages", "push",
//	                           "push-batch", "sms", "email-api", "invoice-pay",
//	                           "subscription-cancel"), to, batch (the multicast
//	                           call's sequence number from 1, shared by its messages; 0 for
//	                           single calls), batchSize (messages in the HTTP call), id (the
//	                           message id answered, "" if none); a multicast logs one entry
//	                           per message
//	POST /control/reset        forgets the log, the counters and the mode
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

type mode struct {
	Default           string              `json:"default"`
	DelayMs           int                 `json:"delayMs"`
	RetryAfterSeconds int                 `json:"retryAfterSeconds"`
	PerN              map[string][]string `json:"perN"`
	PerTo             map[string][]string `json:"perTo"`
}

func defaultMode() mode { return mode{Default: "ok", RetryAfterSeconds: 1} }

// The HTTP status of each behaviour; timeout answers nothing.
var statusOf = map[string]int{"ok": 200, "400": 400, "401": 401, "402": 402, "404": 404, "429": 429, "500": 500, "503": 503, "timeout": 0}

func (m mode) check() error {
	all := []string{m.Default}
	for _, seq := range m.PerN {
		all = append(all, seq...)
	}
	for _, seq := range m.PerTo {
		all = append(all, seq...)
	}
	for _, b := range all {
		if _, ok := statusOf[b]; !ok {
			return fmt.Errorf("unknown behaviour %q (ok, 400, 401, 402, 404, 429, 500, 503, timeout)", b)
		}
	}
	return nil
}

type entry struct {
	Key       string  `json:"key"`
	N         int     `json:"n"`
	At        float64 `json:"at"` // Unix seconds of arrival
	Status    int     `json:"status"`
	Instance  string  `json:"instance"`
	Kind      string  `json:"kind"`
	To        string  `json:"to"`
	Batch     int     `json:"batch"`
	BatchSize int     `json:"batchSize"`
	ID        string  `json:"id"`
}

type provider struct {
	token   string
	mu      sync.Mutex
	mode    mode
	log     []entry
	seen    map[int]int    // requests so far per n
	seenTo  map[string]int // requests so far per recipient
	calls   int            // multicast calls so far
	unkeyed int            // ids given to messages without a key
}

func (p *provider) resetLocked() {
	p.log = nil
	p.seen = map[int]int{}
	p.seenTo = map[string]int{}
	p.calls = 0
	p.unkeyed = 0
	p.mode = defaultMode()
}

// scripted is the count-th entry of seq (the last one repeats), if seq scripts anything.
func scripted(seq []string, count int) (string, bool) {
	if len(seq) == 0 {
		return "", false
	}
	if count >= len(seq) {
		count = len(seq) - 1
	}
	return seq[count], true
}

// forRecipients counts a request for each of tos and returns the behaviour the
// first scripted one is given. Called with p.mu held.
func (p *provider) forRecipients(tos ...string) (string, bool) {
	behaviour, found := "", false
	for _, to := range tos {
		if to == "" {
			continue
		}
		if b, ok := scripted(p.mode.PerTo[to], p.seenTo[to]); ok && !found {
			behaviour, found = b, true
		}
		p.seenTo[to]++
	}
	return behaviour, found
}

// idFor is the id of an accepted message: deterministic per key. Called with p.mu held.
func (p *provider) idFor(key string) string {
	if key != "" {
		return "msg-" + key
	}
	p.unkeyed++
	return fmt.Sprintf("gen-%d", p.unkeyed)
}

func now() float64 { return float64(time.Now().UnixNano()) / 1e9 }

func bearerOK(r *http.Request, token string) bool {
	return r.Header.Get("Authorization") == "Bearer "+token
}

// wait holds the answer for d, or until the client gave up.
func wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

// noAnswer is the timeout behaviour: nothing for 30 s, then the connection is dropped.
func noAnswer(r *http.Request) {
	wait(r, 30*time.Second)
	panic(http.ErrAbortHandler)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// ---- generic ----

func (p *provider) messages(w http.ResponseWriter, r *http.Request) {
	arrived := now()
	var body struct {
		N  int             `json:"n"`
		To json.RawMessage `json:"to"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	var to string
	json.Unmarshal(body.To, &to) // optional; only a string counts
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	behaviour := p.mode.Default
	if b, ok := scripted(p.mode.PerN[strconv.Itoa(body.N)], p.seen[body.N]); ok {
		behaviour = b
		p.forRecipients(to)
	} else if b, ok := p.forRecipients(to); ok {
		behaviour = b
	}
	p.seen[body.N]++
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	if !bearerOK(r, p.token) {
		behaviour = "401"
	}
	status := statusOf[behaviour]
	id := ""
	if behaviour == "ok" {
		id = "msg-" + key
	}
	p.log = append(p.log, entry{Key: key, N: body.N, At: arrived, Status: status, Instance: r.Header.Get("X-Instance"),
		Kind: "messages", To: to, BatchSize: 1, ID: id})
	p.mu.Unlock()

	time.Sleep(delay)
	w.Header().Set("Content-Type", "application/json")
	switch behaviour {
	case "timeout":
		time.Sleep(30 * time.Second)
		return
	case "429":
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		w.WriteHeader(429)
		fmt.Fprint(w, `{"error":"rate limited"}`)
	case "ok":
		fmt.Fprintf(w, `{"id":"msg-%s"}`, key)
	default:
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":"provider says %d"}`, status)
	}
}

// ---- push (FCM HTTP v1) ----

type fcmMessage struct {
	Token        string `json:"token"`
	Notification *struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"notification"`
	Data map[string]string `json:"data"` // FCM refuses non-string values, and so does the decoder
}

// Google's canonical status of an HTTP error, and FCM's error code for it.
var googleStatus = map[int]string{400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND",
	429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
var fcmErrorCode = map[int]string{400: "INVALID_ARGUMENT", 401: "THIRD_PARTY_AUTH_ERROR", 404: "UNREGISTERED",
	429: "QUOTA_EXCEEDED", 500: "INTERNAL", 503: "UNAVAILABLE"}
var fcmMessageText = map[int]string{400: "The registration token is not a valid FCM registration token",
	401: "Auth error from APNS or Web Push Service", 404: "Requested entity was not found.",
	429: "Quota exceeded for sending messages.", 500: "Internal error encountered.", 503: "The service is currently unavailable."}

const unauthenticated = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."

type fcmError struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

func fcmDetails(status int) []map[string]any {
	return []map[string]any{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcmErrorCode[status]}}
}

// callError is a whole call's error, as Google answers it.
func callError(status int, message string) map[string]any {
	e := fcmError{Code: status, Message: message, Status: googleStatus[status]}
	if message == "" {
		e.Message = fcmMessageText[status]
	}
	if status != 401 {
		e.Details = fcmDetails(status)
	}
	return map[string]any{"error": e}
}

func (p *provider) answerPushFailure(w http.ResponseWriter, r *http.Request, behaviour string, retryAfter int) {
	switch behaviour {
	case "timeout":
		noAnswer(r)
	case "401":
		writeJSON(w, 401, callError(401, unauthenticated))
	case "429":
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeJSON(w, 429, callError(429, ""))
	default:
		writeJSON(w, statusOf[behaviour], callError(statusOf[behaviour], ""))
	}
}

func (p *provider) pushSend(w http.ResponseWriter, r *http.Request) {
	arrived := now()
	project := r.PathValue("project")
	var body struct {
		Message *fcmMessage `json:"message"`
	}
	decodeErr := json.NewDecoder(r.Body).Decode(&body)
	var msg fcmMessage
	if body.Message != nil {
		msg = *body.Message
	}
	key := msg.Data["idempotencyKey"]
	p.mu.Lock()
	behaviour := p.mode.Default
	if b, ok := p.forRecipients(msg.Token); ok {
		behaviour = b
	}
	invalid := ""
	switch {
	case !bearerOK(r, p.token):
		behaviour = "401"
	case decodeErr != nil:
		invalid = "Invalid JSON payload received. " + decodeErr.Error()
	case body.Message == nil:
		invalid = "Request contains an invalid argument: message is required."
	case msg.Token == "":
		invalid = "Recipient of the message is not set."
	}
	if invalid != "" {
		behaviour = "400"
	}
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	id := ""
	if behaviour == "ok" {
		id = p.idFor(key)
	}
	p.log = append(p.log, entry{Key: key, N: -1, At: arrived, Status: statusOf[behaviour], Instance: r.Header.Get("X-Instance"),
		Kind: "push", To: msg.Token, BatchSize: 1, ID: id})
	p.mu.Unlock()

	wait(r, delay)
	switch {
	case behaviour == "ok":
		writeJSON(w, 200, map[string]string{"name": "projects/" + project + "/messages/" + id})
	case invalid != "":
		writeJSON(w, 400, callError(400, invalid))
	default:
		p.answerPushFailure(w, r, behaviour, retryAfter)
	}
}

const maxMulticast = 500

func (p *provider) pushSendEach(w http.ResponseWriter, r *http.Request) {
	arrived := now()
	project := r.PathValue("project")
	var body struct {
		Messages []fcmMessage `json:"messages"`
	}
	decodeErr := json.NewDecoder(r.Body).Decode(&body)
	msgs := body.Messages
	p.mu.Lock()
	p.calls++
	batch := p.calls
	// Each message's own behaviour (its recipient's script, counted even when the call fails).
	each := make([]string, len(msgs))
	for i, m := range msgs {
		each[i] = "ok"
		if p.mode.Default == "404" {
			each[i] = "404"
		}
		if b, ok := p.forRecipients(m.Token); ok {
			each[i] = b
		}
		if m.Token == "" {
			each[i] = "400"
		}
	}
	call, invalid := "ok", ""
	switch {
	case !bearerOK(r, p.token):
		call = "401"
	case decodeErr != nil:
		invalid = "Invalid JSON payload received. " + decodeErr.Error()
	case len(msgs) == 0:
		invalid = "messages must not be empty"
	case len(msgs) > maxMulticast:
		invalid = fmt.Sprintf("at most %d messages per call, got %d", maxMulticast, len(msgs))
	case p.mode.Default != "ok" && p.mode.Default != "404":
		call = p.mode.Default
	}
	if invalid != "" {
		call = "400"
	}
	for _, b := range each {
		if call == "ok" && b == "timeout" {
			call = "timeout"
		}
	}
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	instance := r.Header.Get("X-Instance")
	responses := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		key := m.Data["idempotencyKey"]
		e := entry{Key: key, N: -1, At: arrived, Status: statusOf[call], Instance: instance, Kind: "push-batch",
			To: m.Token, Batch: batch, BatchSize: len(msgs)}
		if call == "ok" {
			if each[i] == "ok" {
				e.ID = p.idFor(key)
				responses[i] = map[string]any{"name": "projects/" + project + "/messages/" + e.ID}
			} else {
				status := statusOf[each[i]]
				text := fcmMessageText[status]
				if m.Token == "" {
					text = "Recipient of the message is not set."
				}
				responses[i] = map[string]any{"error": fcmError{Code: status, Message: text, Status: fcmErrorCode[status],
					Details: fcmDetails(status)}}
			}
			e.Status = statusOf[each[i]]
		}
		p.log = append(p.log, e)
	}
	if len(msgs) == 0 {
		p.log = append(p.log, entry{N: -1, At: arrived, Status: statusOf[call], Instance: instance, Kind: "push-batch", Batch: batch})
	}
	p.mu.Unlock()

	wait(r, delay)
	switch {
	case call == "ok":
		writeJSON(w, 200, map[string]any{"responses": responses})
	case invalid != "":
		writeJSON(w, 400, callError(400, invalid))
	default:
		p.answerPushFailure(w, r, call, retryAfter)
	}
}

// ---- SMS (Twilio) ----

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func twilioError(code, status int, message string) map[string]any {
	return map[string]any{"code": code, "message": message, "more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status": status}
}

// What Twilio says for each failure behaviour.
var twilioFailure = map[string]map[string]any{
	"400": twilioError(21610, 400, "Attempt to send to unsubscribed recipient"),
	"401": twilioError(20003, 401, "Authenticate"),
	"404": twilioError(20404, 404, "The requested resource was not found"),
	"429": twilioError(20429, 429, "Too Many Requests"),
	"500": twilioError(20500, 500, "Internal Server Error"),
	"503": twilioError(20503, 503, "Service Unavailable"),
}

func (p *provider) smsSend(w http.ResponseWriter, r *http.Request) {
	arrived := now()
	account := r.PathValue("account")
	user, password, hasAuth := r.BasicAuth()
	r.ParseForm()
	to, from, text := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	if from == "" {
		from = r.PostForm.Get("MessagingServiceSid")
	}
	key := r.Header.Get("I-Twilio-Idempotency-Token")
	p.mu.Lock()
	behaviour := p.mode.Default
	if b, ok := p.forRecipients(to); ok {
		behaviour = b
	}
	var invalid map[string]any
	switch {
	case !hasAuth || user != account || password != p.token:
		behaviour = "401"
	case to == "":
		invalid = twilioError(21604, 400, "A 'To' phone number is required.")
	case !e164.MatchString(to):
		invalid = twilioError(21211, 400, "Invalid 'To' Phone Number")
	case from == "":
		invalid = twilioError(21603, 400, "A 'From' phone number is required.")
	case text == "":
		invalid = twilioError(21602, 400, "Message body is required.")
	}
	if invalid != nil {
		behaviour = "400"
	}
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	sid := ""
	status := statusOf[behaviour]
	if behaviour == "ok" {
		sid = "SM" + p.idFor(key)
		status = 201
	}
	p.log = append(p.log, entry{Key: key, N: -1, At: arrived, Status: status, Instance: r.Header.Get("X-Instance"),
		Kind: "sms", To: to, BatchSize: 1, ID: sid})
	p.mu.Unlock()

	wait(r, delay)
	switch {
	case behaviour == "ok":
		writeJSON(w, 201, map[string]any{"sid": sid, "account_sid": account, "to": to, "from": from, "body": text,
			"status": "queued", "direction": "outbound-api", "num_segments": "1",
			"date_created": time.Now().UTC().Format(time.RFC1123Z),
			"uri":          "/2010-04-01/Accounts/" + account + "/Messages/" + sid + ".json"})
	case invalid != nil:
		writeJSON(w, 400, invalid)
	case behaviour == "timeout":
		noAnswer(r)
	default:
		if behaviour == "429" {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		writeJSON(w, status, twilioFailure[behaviour])
	}
}

// ---- email (SendGrid v3) ----

type sendgridError struct {
	Message string  `json:"message"`
	Field   *string `json:"field"`
	Help    *string `json:"help"`
}

func sendgridErrors(errs ...sendgridError) map[string]any { return map[string]any{"errors": errs} }

func field(name string) *string { return &name }

var sendgridFailure = map[string]string{
	"400": "Bad Request",
	"401": "The provided authorization grant is invalid, expired, or revoked",
	"404": "Not Found",
	"429": "too many requests",
	"500": "internal error",
	"503": "service unavailable",
}

func (p *provider) emailSend(w http.ResponseWriter, r *http.Request) {
	arrived := now()
	type address struct {
		Email string `json:"email"`
		Name  string `json:"name,omitempty"`
	}
	var body struct {
		Personalizations []struct {
			To      []address `json:"to"`
			Subject string    `json:"subject"`
		} `json:"personalizations"`
		From    address `json:"from"`
		Subject string  `json:"subject"`
		Content []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"content"`
		Headers map[string]string `json:"headers"`
	}
	decodeErr := json.NewDecoder(r.Body).Decode(&body)
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = body.Headers["Idempotency-Key"]
	}
	var tos []string
	var invalid []sendgridError
	for i, pz := range body.Personalizations {
		if len(pz.To) == 0 {
			invalid = append(invalid, sendgridError{Message: "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
				Field: field(fmt.Sprintf("personalizations.%d.to", i))})
		}
		for j, a := range pz.To {
			tos = append(tos, a.Email)
			if !strings.Contains(a.Email, "@") {
				invalid = append(invalid, sendgridError{Message: "Does not contain a valid address.",
					Field: field(fmt.Sprintf("personalizations.%d.to.%d.email", i, j))})
			}
		}
	}
	switch {
	case decodeErr != nil:
		invalid = []sendgridError{{Message: "Bad Request", Field: nil}}
	case len(body.Personalizations) == 0:
		invalid = append(invalid, sendgridError{Message: "The personalizations field is required and must have at least one personalization.",
			Field: field("personalizations")})
	}
	if decodeErr == nil {
		if !strings.Contains(body.From.Email, "@") {
			invalid = append(invalid, sendgridError{Message: "The from email does not contain a valid address.", Field: field("from.email")})
		}
		if body.Subject == "" && (len(body.Personalizations) == 0 || body.Personalizations[0].Subject == "") {
			invalid = append(invalid, sendgridError{Message: "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
				Field: field("subject")})
		}
		if len(body.Content) == 0 {
			invalid = append(invalid, sendgridError{Message: "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
				Field: field("content")})
		}
	}
	p.mu.Lock()
	behaviour := p.mode.Default
	if b, ok := p.forRecipients(tos...); ok {
		behaviour = b
	}
	if !bearerOK(r, p.token) {
		behaviour = "401"
		invalid = nil
	} else if invalid != nil {
		behaviour = "400"
	}
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	id := ""
	status := statusOf[behaviour]
	if behaviour == "ok" {
		id = p.idFor(key)
		status = 202
	}
	p.log = append(p.log, entry{Key: key, N: -1, At: arrived, Status: status, Instance: r.Header.Get("X-Instance"),
		Kind: "email-api", To: strings.Join(tos, ","), BatchSize: 1, ID: id})
	p.mu.Unlock()

	wait(r, delay)
	switch {
	case behaviour == "ok":
		w.Header().Set("X-Message-Id", id)
		w.WriteHeader(202)
	case invalid != nil:
		writeJSON(w, 400, sendgridErrors(invalid...))
	case behaviour == "timeout":
		noAnswer(r)
	default:
		if behaviour == "429" {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		writeJSON(w, status, sendgridErrors(sendgridError{Message: sendgridFailure[behaviour]}))
	}
}

// ---- billing (Stripe) ----

func stripeError(kind, code, message string) map[string]any {
	e := map[string]any{"type": kind, "message": message}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

// What Stripe says for each failure behaviour.
var stripeFailure = map[string]map[string]any{
	"400": stripeError("invalid_request_error", "parameter_invalid", "Invalid request."),
	"401": stripeError("invalid_request_error", "", "Invalid API Key provided."),
	"402": stripeError("card_error", "card_declined", "Your card was declined."),
	"404": stripeError("invalid_request_error", "resource_missing", "No such object."),
	"429": stripeError("rate_limit_error", "rate_limit", "Too many requests hit the API too quickly."),
	"500": stripeError("api_error", "", "Something went wrong on Stripe's end."),
	"503": stripeError("api_error", "", "Stripe is temporarily unavailable."),
}

// billing answers one of the Stripe endpoints: kind is the log's, object and
// status what a success answers.
func (p *provider) billing(kind, object, status string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		arrived := now()
		id := r.PathValue("id")
		key := r.Header.Get("Idempotency-Key")
		p.mu.Lock()
		behaviour := p.mode.Default
		if b, ok := p.forRecipients(id); ok {
			behaviour = b
		}
		if !bearerOK(r, p.token) {
			behaviour = "401"
		}
		delay := time.Duration(p.mode.DelayMs) * time.Millisecond
		retryAfter := p.mode.RetryAfterSeconds
		answered := ""
		if behaviour == "ok" {
			answered = id
		}
		p.log = append(p.log, entry{Key: key, N: -1, At: arrived, Status: statusOf[behaviour], Instance: r.Header.Get("X-Instance"),
			Kind: kind, To: id, BatchSize: 1, ID: answered})
		p.mu.Unlock()

		wait(r, delay)
		switch behaviour {
		case "ok":
			body := map[string]any{"id": id, "object": object, "status": status}
			if object == "invoice" {
				body["paid"] = true
			}
			writeJSON(w, 200, body)
		case "timeout":
			noAnswer(r)
		default:
			if behaviour == "429" {
				w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
			}
			writeJSON(w, statusOf[behaviour], stripeFailure[behaviour])
		}
	}
}

// ---- control ----

func (p *provider) control(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case "/control/mode":
		m := defaultMode()
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if m.Default == "" {
			m.Default = "ok"
		}
		if err := m.check(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mode = m
	case "/control/log":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.log)
		return
	case "/control/reset":
		p.resetLocked()
	default:
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, `{"ok":true}`)
}

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "address to listen on")
	token := flag.String("token", "test-token", "the bearer token (push, email, generic) or the auth token (SMS) requests must carry")
	flag.Parse()
	p := &provider{token: *token}
	p.resetLocked()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/messages", p.messages)
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", p.pushSend)
	mux.HandleFunc("POST /v1/projects/{project}/messages:sendEach", p.pushSendEach)
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", p.smsSend)
	mux.HandleFunc("POST /v3/mail/send", p.emailSend)
	mux.HandleFunc("POST /v1/invoices/{id}/pay", p.billing("invoice-pay", "invoice", "paid"))
	mux.HandleFunc("DELETE /v1/subscriptions/{id}", p.billing("subscription-cancel", "subscription", "canceled"))
	mux.HandleFunc("/control/", p.control)
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
