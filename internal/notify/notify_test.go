package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func firing() *Alert {
	return &Alert{
		Name: "api_errors", State: "firing", TS: 1549573956, Metric: "5xx_ratio", Op: ">", Value: 0.075,
		Threshold: 0.05, Window: 300, Hits: 312, Rate: 1.04, For: 60, StartsAt: 1549573956,
		Labels:      []Label{{"section", "/api"}, {"severity", "page"}},
		Annotations: []Label{{"runbook", "https://wiki.example.com/api <errors>"}},
		Record:      []byte(`{"kind":"alert","name":"api_errors","state":"firing"}`),
	}
}

func resolved() *Alert {
	a := firing()
	a.State, a.TS, a.EndsAt, a.Value = "resolved", 1549574043, 1549574043, 0.0125
	a.Record = []byte(`{"kind":"alert","name":"api_errors","state":"resolved"}`)
	return a
}

// TestFingerprint checks Alertmanager's label fingerprint against the
// vectors of prometheus/common's model tests.
func TestFingerprint(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]string
		want uint64
	}{
		{map[string]string{}, 14695981039346656037},
		{map[string]string{"name": "garland, briggs", "fear": "love is not enough"}, 5799056148416392346},
		{map[string]string{"first-label": "first-label-value"}, 5146282821936882169},
		{map[string]string{"first-label": "first-label-value", "second-label": "second-label-value"}, 3195800080984914717},
	} {
		if got, want := Fingerprint(tc.in), fmt.Sprintf("%016x", tc.want); got != want {
			t.Errorf("%v: want %s, got %s", tc.in, want, got)
		}
	}
}

// receiver is a real HTTP server on 127.0.0.1 that records the bodies it
// gets and answers with what status says.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status func(n int) int // n counts requests from 1
	gate   chan struct{}   // when set, each request waits for a value
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Reading the body first lets the server notice a client that
		// gives up while the request waits at the gate.
		b, _ := io.ReadAll(req.Body)
		if r.gate != nil {
			select {
			case <-r.gate:
			case <-req.Context().Done():
				return
			}
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		n := len(r.bodies)
		r.mu.Unlock()
		if req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", req.Header.Get("Content-Type"))
		}
		code := r.status(n)
		w.WriteHeader(code)
		if code != 200 {
			io.WriteString(w, "try later\n")
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

func ok(int) int { return 200 }

func testConfig(url string, log *Log) HTTPConfig {
	return HTTPConfig{
		Name: "notify-webhook", URL: url, Body: AlertmanagerBody("http://dash.example.com/"), Resolved: true,
		Timeout: 5 * time.Second, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
		Queue: 8, Log: log,
	}
}

func closeNow(s Sink) Stats {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Close(ctx)
}

// TestWebhookPayload checks the body against the fields of Alertmanager's
// webhook, version 4, for a firing alert and its resolution.
func TestWebhookPayload(t *testing.T) {
	rcv := newReceiver(t, ok)
	var log bytes.Buffer
	h := NewHTTP(testConfig(rcv.URL, NewLog(&log, "test")))
	h.Notify(firing())
	h.Notify(resolved())
	if st := closeNow(h); st != (Stats{Delivered: 2}) {
		t.Fatalf("stats %+v, log %s", st, log.String())
	}
	bodies := rcv.got()
	if len(bodies) != 2 {
		t.Fatalf("got %d requests", len(bodies))
	}
	labels := map[string]any{"alertname": "api_errors", "section": "/api", "severity": "page"}
	ann := map[string]any{
		"summary": "api_errors firing: 5xx_ratio = 7.5% (rule 5xx_ratio > 5% over 5m); section=/api severity=page",
		"runbook": "https://wiki.example.com/api <errors>",
	}
	fp := Fingerprint(map[string]string{"alertname": "api_errors", "section": "/api", "severity": "page"})
	want := map[string]any{
		"version":           "4",
		"groupKey":          `{}:{alertname="api_errors"}`,
		"truncatedAlerts":   0.0,
		"status":            "firing",
		"receiver":          "httpmon",
		"groupLabels":       map[string]any{"alertname": "api_errors"},
		"commonLabels":      labels,
		"commonAnnotations": ann,
		"externalURL":       "http://dash.example.com/",
		"alerts": []any{map[string]any{
			"status":       "firing",
			"labels":       labels,
			"annotations":  ann,
			"startsAt":     "2019-02-07T21:12:36Z",
			"endsAt":       "0001-01-01T00:00:00Z",
			"generatorURL": "http://dash.example.com/",
			"fingerprint":  fp,
		}},
	}
	var got map[string]any
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("firing payload:\nwant %v\n got %v", want, got)
	}
	if err := json.Unmarshal(bodies[1], &got); err != nil {
		t.Fatal(err)
	}
	al := got["alerts"].([]any)[0].(map[string]any)
	if got["status"] != "resolved" || al["status"] != "resolved" || al["endsAt"] != "2019-02-07T21:14:03Z" ||
		al["startsAt"] != "2019-02-07T21:12:36Z" || al["fingerprint"] != fp {
		t.Errorf("resolved payload: %s", bodies[1])
	}
	if log.Len() > 0 {
		t.Errorf("log: %s", log.String())
	}
}

// TestWebhookRetriesThenDrops runs a receiver that always fails: each
// alert is tried Attempts times with doubling waits, then dropped and
// counted; one that recovers gets the alert on a later attempt.
func TestWebhookRetriesThenDrops(t *testing.T) {
	rcv := newReceiver(t, func(int) int { return 503 })
	var log bytes.Buffer
	cfg := testConfig(rcv.URL, NewLog(&log, "test"))
	cfg.Attempts = 4
	var mu sync.Mutex
	var waits []time.Duration
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}
	h := NewHTTP(cfg)
	h.Notify(firing())
	st := closeNow(h)
	if st != (Stats{Failed: 4, Dropped: 1}) {
		t.Errorf("stats %+v", st)
	}
	if n := len(rcv.got()); n != 4 {
		t.Errorf("want 4 attempts, got %d", n)
	}
	if want := []time.Duration{1 * time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits: want %v, got %v", want, waits)
	}
	if !strings.Contains(log.String(), `test: notify-webhook: api_errors firing dropped after 4 attempts: HTTP 503 Service Unavailable: "try later"`) {
		t.Errorf("log: %s", log.String())
	}

	flaky := newReceiver(t, func(n int) int {
		if n < 3 {
			return 500
		}
		return 200
	})
	h = NewHTTP(testConfig(flaky.URL, NewLog(io.Discard, "test")))
	h.Notify(firing())
	if st := closeNow(h); st != (Stats{Delivered: 1, Failed: 2}) {
		t.Errorf("flaky receiver: stats %+v", st)
	}
}

// TestWebhookClientError: a 4xx other than 408 and 429 is not retried.
func TestWebhookClientError(t *testing.T) {
	rcv := newReceiver(t, func(int) int { return 400 })
	h := NewHTTP(testConfig(rcv.URL, NewLog(io.Discard, "test")))
	h.Notify(firing())
	if st := closeNow(h); st != (Stats{Failed: 1, Dropped: 1}) || len(rcv.got()) != 1 {
		t.Errorf("stats %+v after %d requests", st, len(rcv.got()))
	}
}

// TestWebhookSlowReceiver holds every request until the test lets it go:
// Notify never waits, the queue's overflow is dropped and counted, and
// Close gives up at its deadline and counts what it could not send.
func TestWebhookSlowReceiver(t *testing.T) {
	rcv := newReceiver(t, ok)
	rcv.gate = make(chan struct{})
	t.Cleanup(func() { close(rcv.gate) }) // before the server closes
	var log bytes.Buffer
	cfg := testConfig(rcv.URL, NewLog(&log, "test"))
	cfg.Queue = 3
	h := NewHTTP(cfg)
	done := make(chan struct{})
	go func() {
		for range 20 {
			h.Notify(firing())
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked behind a slow receiver")
	}
	// One request in flight, three queued, sixteen dropped at once; or,
	// if the worker had not picked the first one up yet, seventeen.
	rcv.gate <- struct{}{} // the first request completes
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	st := h.Close(ctx)
	if st.Delivered != 1 || st.Delivered+st.Dropped != 20 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(log.String(), "queue of 3 full") || !strings.Contains(log.String(), "cut off at exit") {
		t.Errorf("log: %s", log.String())
	}
}

func TestWebhookResolvedOff(t *testing.T) {
	rcv := newReceiver(t, ok)
	cfg := testConfig(rcv.URL, NewLog(io.Discard, "test"))
	cfg.Resolved = false
	h := NewHTTP(cfg)
	h.Notify(firing())
	h.Notify(resolved())
	if st := closeNow(h); st.Delivered != 1 || len(rcv.got()) != 1 || !bytes.Contains(rcv.got()[0], []byte(`"status":"firing"`)) {
		t.Errorf("stats %+v, bodies %s", st, rcv.got())
	}
}

func TestSlackBody(t *testing.T) {
	rcv := newReceiver(t, ok)
	cfg := testConfig(rcv.URL, NewLog(io.Discard, "test"))
	cfg.Body = SlackBody
	h := NewHTTP(cfg)
	a := resolved()
	a.UTCOffset = 3600
	h.Notify(firing())
	h.Notify(a)
	closeNow(h)
	var got []string
	for _, b := range rcv.got() {
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 {
			t.Fatalf("body %s: %v", b, err)
		}
		got = append(got, m["text"])
	}
	want := []string{
		":rotating_light: api_errors firing: 5xx_ratio = 7.5% (rule 5xx_ratio &gt; 5% over 5m); section=/api severity=page at 2019-02-07 21:12:36 +0000\nrunbook: https://wiki.example.com/api &lt;errors&gt;",
		":white_check_mark: api_errors resolved: 5xx_ratio = 1.25% (rule 5xx_ratio &gt; 5% over 5m); section=/api severity=page at 2019-02-07 22:14:03 +0100\nrunbook: https://wiki.example.com/api &lt;errors&gt;",
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("want %q\n got %q", want, got)
	}
}

func TestExec(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var log bytes.Buffer
	e := NewExec(ExecConfig{
		Command: `{ cat; echo "$HTTPMON_ALERT_NAME $HTTPMON_ALERT_STATE $HTTPMON_ALERT_VALUE $HTTPMON_ALERT_LABEL_SECTION [$HTTPMON_ALERT_LABELS] ${HTTPMON_ALERT_ENDS_AT:-none}"; } >> ` + out,
		Timeout: 5 * time.Second, Parallel: 1, Queue: 4, Log: NewLog(&log, "test"),
	})
	e.Notify(firing())
	e.Notify(resolved())
	if st := closeNow(e); st != (Stats{Delivered: 2}) {
		t.Fatalf("stats %+v, log %s", st, log.String())
	}
	got, _ := os.ReadFile(out)
	want := `{"kind":"alert","name":"api_errors","state":"firing","time":"2019-02-07 21:12:36 +0000","annotations":{"runbook":"https://wiki.example.com/api <errors>"}}
api_errors firing 0.075 /api [section=/api severity=page] none
{"kind":"alert","name":"api_errors","state":"resolved","time":"2019-02-07 21:14:03 +0000","annotations":{"runbook":"https://wiki.example.com/api <errors>"}}
api_errors resolved 0.0125 /api [section=/api severity=page] 1549574043
`
	if string(got) != want {
		t.Errorf("want\n%s\n got\n%s", want, got)
	}
}

func TestExecFailures(t *testing.T) {
	var log bytes.Buffer
	e := NewExec(ExecConfig{Command: `echo "no route to pager" >&2; exit 3`, Timeout: 5 * time.Second, Log: NewLog(&log, "test")})
	e.Notify(firing())
	if st := closeNow(e); st != (Stats{Failed: 1, Dropped: 1}) {
		t.Errorf("stats %+v", st)
	}
	if want := `test: notify-exec: api_errors firing: exit status 3: "no route to pager"` + "\n"; log.String() != want {
		t.Errorf("want %q\n got %q", want, log.String())
	}

	// A command that hangs is killed with what it started, and the
	// stream it came from never waits for it.
	log.Reset()
	e = NewExec(ExecConfig{Command: `sleep 30 & sleep 30; wait`, Timeout: 100 * time.Millisecond, Log: NewLog(&log, "test")})
	start := time.Now()
	e.Notify(firing())
	if st := closeNow(e); st != (Stats{Failed: 1, Dropped: 1}) {
		t.Errorf("stats %+v", st)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %v", d)
	}
	if !strings.Contains(log.String(), "killed after 100ms") {
		t.Errorf("log %q", log.String())
	}

	// A full queue drops; the grace time at exit cuts off the rest.
	log.Reset()
	e = NewExec(ExecConfig{Command: `sleep 30`, Parallel: 1, Queue: 1, Log: NewLog(&log, "test")})
	for range 5 {
		e.Notify(firing())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	st := e.Close(ctx)
	if st.Delivered != 0 || st.Dropped != 5 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(log.String(), "queue of 1 full") || !strings.Contains(log.String(), "killed at exit") {
		t.Errorf("log %q", log.String())
	}
}

func TestEnv(t *testing.T) {
	env := strings.Join(Env(resolved()), "\n")
	for _, want := range []string{
		"HTTPMON_ALERT_NAME=api_errors", "HTTPMON_ALERT_STATE=resolved", "HTTPMON_ALERT_TS=1549574043",
		"HTTPMON_ALERT_METRIC=5xx_ratio", "HTTPMON_ALERT_OP=>", "HTTPMON_ALERT_VALUE=0.0125",
		"HTTPMON_ALERT_THRESHOLD=0.05", "HTTPMON_ALERT_WINDOW=300", "HTTPMON_ALERT_HITS=312",
		"HTTPMON_ALERT_FOR=60", "HTTPMON_ALERT_KEEP_FIRING_FOR=0", "HTTPMON_ALERT_STARTS_AT=1549573956",
		"HTTPMON_ALERT_ENDS_AT=1549574043", "HTTPMON_ALERT_LABEL_SEVERITY=page",
		"HTTPMON_ALERT_SUMMARY=api_errors resolved: 5xx_ratio = 1.25% (rule 5xx_ratio > 5% over 5m); section=/api severity=page at 2019-02-07 21:14:03 +0000",
		"HTTPMON_ALERT_TIME=2019-02-07 21:14:03 +0000", "HTTPMON_ALERT_ANNOTATION_RUNBOOK=https://wiki.example.com/api <errors>",
	} {
		if !strings.Contains(env, want+"\n") && !strings.HasSuffix(env, want) {
			t.Errorf("missing %s in\n%s", want, env)
		}
	}
}
