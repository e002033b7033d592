package notify

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/testsvc"
)

// TestEmail sends a firing alert and its resolution through a real SMTP
// server, logging in, and reads them back: one mail each, in order, with
// the subject and the plain-text body people read.
func TestEmail(t *testing.T) {
	mp := testsvc.StartMailpit(t)
	host, port, _ := strings.Cut(mp.SMTP, ":")
	p, _ := strconv.Atoi(port)
	var log lockedLog
	e := NewEmail(EmailConfig{
		Host: host, Port: p, Username: "alerts", Password: "s3cret",
		From: "httpmon@example.com", To: []string{"ops@example.com", "dev@example.com"},
		Timeout: 10 * time.Second, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Queue: 8, Log: NewLog(&log, "test"),
	})
	f, r := firing(), resolved()
	f.UTCOffset, r.UTCOffset = 3600, 3600
	e.Notify(f)
	e.Notify(r)
	if st := closeNow(e); st != (Stats{Delivered: 2}) {
		t.Fatalf("stats %+v, log %s", st, log.String())
	}
	msgs := mp.Messages(t)
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	if msgs[0].Subject != "[FIRING] api_errors: 5xx_ratio = 7.5%" || msgs[1].Subject != "[RESOLVED] api_errors: 5xx_ratio = 1.25%" {
		t.Errorf("subjects %q, %q", msgs[0].Subject, msgs[1].Subject)
	}
	if len(msgs[0].To) != 2 || msgs[0].To[0].Address != "ops@example.com" || msgs[0].From.Address != "httpmon@example.com" {
		t.Errorf("addresses %+v", msgs[0])
	}
	want := "api_errors resolved at 2019-02-07 22:14:03 +0100, after firing since 2019-02-07 22:12:36 +0100.\n\n" +
		"Rule:      5xx_ratio > 5% over 5m for 1m\n" +
		"Value:     5xx_ratio = 1.25% over the 5m ending at 2019-02-07 22:14:03 +0100\n" +
		"Requests:  312 in the window, 1.04/s\n" +
		"Labels:    section=/api severity=page\n\n" +
		"runbook: https://wiki.example.com/api <errors>\n"
	if got := strings.ReplaceAll(msgs[1].Text, "\r\n", "\n"); got != want {
		t.Errorf("body: want\n%s\n got\n%s", want, got)
	}
	if !strings.HasPrefix(msgs[0].Text, "api_errors is firing since 2019-02-07 22:12:36 +0100.") {
		t.Errorf("firing body %q", msgs[0].Text)
	}
}

// TestEmailServerDown: a server that refuses connections is retried,
// counted, reported once, and its password never shown.
func TestEmailServerDown(t *testing.T) {
	var log bytes.Buffer
	e := NewEmail(EmailConfig{
		Host: "127.0.0.1", Port: testsvc.FreePort(t), Username: "alerts", Password: "s3cret",
		From: "httpmon@example.com", To: []string{"ops@example.com"},
		Timeout: 5 * time.Second, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Queue: 8, Log: NewLog(&log, "test"),
	})
	for range 3 {
		e.Notify(firing())
	}
	if st := closeNow(e); st != (Stats{Failed: 9, Dropped: 3}) {
		t.Errorf("stats %+v", st)
	}
	if strings.Count(log.String(), "failing") != 1 || !strings.Contains(log.String(), "test: notify-email: smtp://127.0.0.1:") ||
		strings.Contains(log.String(), "s3cret") {
		t.Errorf("log:\n%s", log.String())
	}
}
