package notify

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAlertmanagerAPI checks the body of POST /api/v2/alerts, the resends
// of a firing alert with its endsAt pushed ahead, and the resolution with
// endsAt at its time, after which the alert is not sent again.
func TestAlertmanagerAPI(t *testing.T) {
	rcv := newReceiver(t, ok)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := testConfig(rcv.URL+"/prefix/", NewLog(&bytes.Buffer{}, "test"))
	cfg.Name = "notify-alertmanager"
	am, err := NewAlertmanager(AlertmanagerConfig{HTTP: cfg, Resend: 10 * time.Millisecond,
		ExternalURL: "http://dash.example.com/", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	am.Notify(firing())
	waitFor(t, "three sendings", func() bool { return len(rcv.got()) >= 3 })
	am.Notify(resolved())
	st := closeNow(am)
	got := rcv.got()
	if st.Dropped != 0 || st.Failed != 0 || st.Delivered != int64(len(got)) {
		t.Errorf("stats %+v for %d requests", st, len(got))
	}
	var bodies []string
	for _, b := range got {
		bodies = append(bodies, string(b))
	}
	fire := `[{"labels":{"alertname":"api_errors","section":"/api","severity":"page"},` +
		`"annotations":{"runbook":"https://wiki.example.com/api \u003cerrors\u003e","summary":"api_errors firing: 5xx_ratio = 7.5% (rule 5xx_ratio \u003e 5% over 5m); section=/api severity=page"},` +
		`"startsAt":"2019-02-07T21:12:36Z","endsAt":"2026-01-02T03:04:05Z","generatorURL":"http://dash.example.com/"}]`
	// endsAt is four resend periods after now, in whole seconds.
	fire = strings.Replace(fire, `"endsAt":"2026-01-02T03:04:05Z"`, `"endsAt":"`+now.Add(40*time.Millisecond).Format(time.RFC3339)+`"`, 1)
	for i, b := range bodies[:len(bodies)-1] {
		if b != fire {
			t.Errorf("sending %d: want\n%s\n got\n%s", i, fire, b)
		}
	}
	var last []postableAlert
	if err := json.Unmarshal(got[len(got)-1], &last); err != nil || len(last) != 1 ||
		last[0].EndsAt != "2019-02-07T21:14:03Z" || last[0].StartsAt != "2019-02-07T21:12:36Z" ||
		!strings.Contains(last[0].Annotations["summary"], "resolved") {
		t.Errorf("resolution %s: %v", got[len(got)-1], err)
	}
}

// TestAlertmanagerDown: an instance that does not answer is reported once
// when it starts failing and once when it answers again; failed resends
// are not reported as lost alerts.
func TestAlertmanagerDown(t *testing.T) {
	up := make(chan bool, 1)
	up <- false
	rcv := newReceiver(t, func(int) int {
		ok := <-up
		up <- ok
		if ok {
			return 200
		}
		return 503
	})
	var log lockedLog
	cfg := testConfig(rcv.URL, NewLog(&log, "test"))
	cfg.Name, cfg.Attempts = "notify-alertmanager", 2
	am, err := NewAlertmanager(AlertmanagerConfig{HTTP: cfg, Resend: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	am.Notify(firing())
	waitFor(t, "ten failed requests", func() bool { return len(rcv.got()) >= 10 })
	<-up
	up <- true
	n := len(rcv.got())
	waitFor(t, "a resend that succeeds", func() bool { return len(rcv.got()) >= n+2 })
	st := closeNow(am)
	msgs := log.String()
	if c := strings.Count(msgs, "failing"); c != 1 {
		t.Errorf("want one failing message, got %d:\n%s", c, msgs)
	}
	if !strings.Contains(msgs, "test: notify-alertmanager: "+rcv.URL+" failing: HTTP 503 Service Unavailable") ||
		!strings.Contains(msgs, "answers again, after") || strings.Count(msgs, "\n") != 3 {
		t.Errorf("messages:\n%s", msgs)
	}
	if st.Dropped != 1 || st.Failed < 10 {
		// The firing alert's two attempts fail: dropped; the resends
		// that fail are failed attempts only.
		t.Errorf("stats %+v", st)
	}
}

// lockedLog is a Log's writer that a test can read while sinks write.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
