// qrfleet-test-provider: a local HTTP server that speaks the shape of a push
// or SMS provider's API, for the runtime's outside-call tests and benchmark.
// It counts requests per idempotency key and fails on demand.
//
//	POST /v1/messages          Authorization: Bearer <token>, Idempotency-Key: <key>,
//	                           body {"n": <int>, ...}; answers 200 {"id": "msg-<key>"}
//	                           or whatever the mode says
//	POST /control/mode         {"default": "ok", "delayMs": 0, "retryAfterSeconds": 1,
//	                            "perN": {"5": ["429", "ok"]}}: behaviours are ok, 400,
//	                           401, 429 (with Retry-After), 500, timeout (no answer
//	                           for 30 s); perN gives the i-th request for n the i-th
//	                           entry (the last one repeats)
//	GET  /control/log          every request so far, in arrival order (JSON)
//	POST /control/reset        forgets the log and the mode
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"
)

type mode struct {
	Default           string              `json:"default"`
	DelayMs           int                 `json:"delayMs"`
	RetryAfterSeconds int                 `json:"retryAfterSeconds"`
	PerN              map[string][]string `json:"perN"`
}

type entry struct {
	Key      string  `json:"key"`
	N        int     `json:"n"`
	At       float64 `json:"at"` // Unix seconds of arrival
	Status   int     `json:"status"`
	Instance string  `json:"instance"`
}

type provider struct {
	token string
	mu    sync.Mutex
	mode  mode
	log   []entry
	seen  map[int]int // requests so far per n
}

func (p *provider) messages(w http.ResponseWriter, r *http.Request) {
	arrived := float64(time.Now().UnixNano()) / 1e9
	var body struct {
		N int `json:"n"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	behaviour := p.mode.Default
	if seq, ok := p.mode.PerN[strconv.Itoa(body.N)]; ok && len(seq) > 0 {
		i := p.seen[body.N]
		if i >= len(seq) {
			i = len(seq) - 1
		}
		behaviour = seq[i]
	}
	p.seen[body.N]++
	delay := time.Duration(p.mode.DelayMs) * time.Millisecond
	retryAfter := p.mode.RetryAfterSeconds
	if r.Header.Get("Authorization") != "Bearer "+p.token {
		behaviour = "401"
	}
	status := map[string]int{"ok": 200, "400": 400, "401": 401, "429": 429, "500": 500, "timeout": 0}[behaviour]
	p.log = append(p.log, entry{key, body.N, arrived, status, r.Header.Get("X-Instance")})
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

func (p *provider) control(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case "/control/mode":
		m := mode{Default: "ok", RetryAfterSeconds: 1}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mode = m
	case "/control/log":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.log)
		return
	case "/control/reset":
		p.log = nil
		p.seen = map[int]int{}
		p.mode = mode{Default: "ok", RetryAfterSeconds: 1}
	default:
		http.NotFound(w, r)
		return
	}
	fmt.Fprint(w, `{"ok":true}`)
}

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "address to listen on")
	token := flag.String("token", "test-token", "the bearer token requests must carry")
	flag.Parse()
	p := &provider{token: *token, mode: mode{Default: "ok", RetryAfterSeconds: 1}, seen: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/messages", p.messages)
	mux.HandleFunc("/control/", p.control)
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
