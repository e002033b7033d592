package alertcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/testsvc"
)

const quietAlertmanager = `route:
  receiver: nobody
receivers:
  - name: nobody
`

// TestAlertmanagerPush runs httpmon-alert against a real HA pair of
// Alertmanagers and reads their /api/v2/alerts back: the firing alert
// with its labels, annotations, startsAt and generatorURL, kept alive by
// resends that push its endsAt ahead, then resolved at its time.
func TestAlertmanagerPush(t *testing.T) {
	am1 := testsvc.Alertmanager(t, quietAlertmanager)
	am2 := testsvc.Alertmanager(t, quietAlertmanager)
	file := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(file, []byte(`rules:
  - name: api_busy
    expr: hits{section=/api} > 0 over 1s
    labels: {severity: page}
    annotations: {runbook: "https://wiki.example.com/api-busy"}
`), 0o644)
	l := startAlert(t, "--rules", file, "--notify-alertmanager", am1, "--notify-alertmanager", am2+"/",
		"--notify-resend", "1s", "--external-url", "http://dash.example.com/")
	ts := time.Now().Add(-time.Minute).Unix()
	l.request(ts, "/api")
	l.tick(int(ts), 1)
	l.until(`"state":"firing"`)

	var first time.Time
	for _, am := range []string{am1, am2} {
		var got testsvc.AlertmanagerAlert
		testsvc.Eventually(t, "the alert in "+am, func() bool {
			as := testsvc.AlertmanagerAlerts(t, am)
			if len(as) == 1 {
				got = as[0]
			}
			return len(as) == 1
		})
		want := map[string]string{"alertname": "api_busy", "section": "/api", "severity": "page"}
		for k, v := range want {
			if got.Labels[k] != v {
				t.Errorf("%s: labels %v, want %v", am, got.Labels, want)
			}
		}
		if len(got.Labels) != len(want) || got.Annotations["runbook"] != "https://wiki.example.com/api-busy" ||
			!strings.HasPrefix(got.Annotations["summary"], "api_busy firing: hits = 1") ||
			got.StartsAt.Unix() != ts || got.GeneratorURL != "http://dash.example.com/" || got.Status.State != "active" {
			t.Errorf("%s: %+v", am, got)
		}
		if !got.EndsAt.After(time.Now()) {
			t.Errorf("%s: endsAt %v is not ahead", am, got.EndsAt)
		}
		first = got.EndsAt
	}
	// endsAt is in whole seconds: a resend a second or more later moves it.
	testsvc.Eventually(t, "a resend moving endsAt", func() bool {
		as := testsvc.AlertmanagerAlerts(t, am2)
		return len(as) == 1 && as[0].EndsAt.After(first)
	})

	l.tick(int(ts)+1, 0)
	l.until(`"state":"resolved"`)
	for _, am := range []string{am1, am2} {
		testsvc.Eventually(t, "the resolution in "+am, func() bool {
			for _, a := range testsvc.AlertmanagerAlerts(t, am) {
				if a.Status.State == "active" {
					return false
				}
			}
			return true
		})
	}
	l.in.Close()
	if err := <-l.done; err != nil {
		t.Fatal(err)
	}
	if s := l.stderr.String(); s != "" {
		t.Errorf("stderr %q", s)
	}
}

// TestAlertmanagerUnreachable: an Alertmanager that refuses connections
// is reported once, never holds the stream, and the losses are counted at
// the end; the bad URL values fail at start-up.
func TestAlertmanagerUnreachable(t *testing.T) {
	start := time.Now()
	out, stderr, err := runAlert(t, flapping(40), "--rule", "busy: hits > 0 over 1s",
		"--notify-alertmanager", "http://127.0.0.1:1/", "--notify-backoff", "1ms", "--notify-attempts", "2", "--notify-grace", "5s")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, `"kind":"alert"`); n != 40 {
		t.Errorf("%d alert records, want 40", n)
	}
	msgs := stderr.String()
	if strings.Count(msgs, "failing") != 1 || !strings.Contains(msgs, "notify-alertmanager: http://127.0.0.1:1 failing: ") ||
		!strings.Contains(msgs, "notify-alertmanager: 0 delivered, 40 dropped, 80 failed attempts") {
		t.Errorf("stderr:\n%s", msgs)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	for _, args := range [][]string{
		{"--notify-alertmanager", "127.0.0.1:9093"},
		{"--notify-alertmanager", "ftp://x/"},
		{"--notify-alertmanager", "http://x/", "--notify-resend", "10ms"},
	} {
		_, stderr, err := runAlert(t, "", append([]string{"--rule", "busy: hits > 0 over 1s"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "--notify-") {
			t.Errorf("%q: err %v, stderr %s", args, err, stderr.String())
		}
	}
}
