package alertcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/testsvc"
)

// TestNotifyEmail mails a firing alert and its resolution through a real
// SMTP server with a login from the environment and a password file.
func TestNotifyEmail(t *testing.T) {
	mp := testsvc.StartMailpit(t)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("s3cret\n"), 0o600)
	t.Setenv(envSMTPUsername, "alerts")
	file := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(file, []byte("rules:\n  - name: busy\n    expr: hits > 0 over 1s\n    annotations: {runbook: \"https://wiki.example.com/busy\"}\n"), 0o644)
	_, stderr, err := runAlert(t, flapping(2), "--rules", file,
		"--notify-email", "ops@example.com", "--notify-email", "Dev Team <dev@example.com>",
		"--smtp", "smtp://"+mp.SMTP, "--smtp-from", "httpmon@example.com", "--smtp-password-file", pw)
	if err != nil || stderr.String() != "" {
		t.Fatalf("%v; stderr %s", err, stderr.String())
	}
	msgs := mp.Messages(t)
	if len(msgs) != 2 || msgs[0].Subject != "[FIRING] busy: hits = 1" || msgs[1].Subject != "[RESOLVED] busy: hits = 0" {
		t.Fatalf("messages %+v", msgs)
	}
	if len(msgs[0].To) != 2 || !strings.Contains(msgs[0].Text, "runbook: https://wiki.example.com/busy") ||
		!strings.Contains(msgs[0].Text, "busy is firing since 1970-01-01 00:16:40 +0000.") {
		t.Errorf("message %+v", msgs[0])
	}
}

// TestNotifyEmailUsage: a bad --smtp or address exits 2 at start-up, and
// a password put in the URL is refused without being shown.
func TestNotifyEmailUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--notify-email", "ops@example.com"}, "--notify-email needs --smtp"},
		{[]string{"--notify-email", "ops", "--smtp", "smtp://mail:587"}, `--notify-email "ops" is not a mail address`},
		{[]string{"--notify-email", "ops@example.com", "--smtp", "http://mail:587"}, `not a "http" URL`},
		{[]string{"--notify-email", "ops@example.com", "--smtp", "smtp://u:hunter2@mail:587"}, "must not carry a user or password"},
		{[]string{"--notify-email", "ops@example.com", "--smtp", "smtps://mail:99999"}, "port must be from 1 to 65535"},
		{[]string{"--notify-email", "ops@example.com", "--smtp", "smtp://mail", "--smtp-from", "x"}, `--smtp-from "x"`},
		{[]string{"--smtp", "smtp://mail"}, "--smtp is for --notify-email"},
	} {
		_, stderr, err := runAlert(t, "", append([]string{"--rule", "busy: hits > 0 over 1s"}, tc.args...)...)
		var ec cli.ExitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: err %v, want exit 2 with %q; stderr %s", tc.args, err, tc.want, stderr.String())
		}
	}
}

// TestAlertmanagerToEmail runs the whole route people use with a
// Prometheus stack: httpmon-alert pushes to a real Alertmanager, which
// mails the firing and the resolution through a real SMTP server.
func TestAlertmanagerToEmail(t *testing.T) {
	mp := testsvc.StartMailpit(t)
	am := testsvc.Alertmanager(t, `global:
  smtp_smarthost: "`+mp.SMTP+`"
  smtp_from: alertmanager@example.com
  smtp_require_tls: false
route:
  receiver: mail
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: mail
    email_configs:
      - to: ops@example.com
        send_resolved: true
`)
	l := startAlert(t, "--rule", "api_busy: hits > 0 over 1s", "--notify-alertmanager", am, "--notify-resend", "1s")
	ts := int(time.Now().Add(-time.Minute).Unix())
	l.tick(ts, 1)
	l.until(`"state":"firing"`)
	testsvc.Eventually(t, "Alertmanager's firing mail", func() bool {
		ms := mp.Messages(t)
		return len(ms) >= 1 && strings.Contains(ms[0].Subject, "FIRING") && strings.Contains(ms[0].Subject, "api_busy")
	})
	l.tick(ts+1, 0)
	l.until(`"state":"resolved"`)
	testsvc.Eventually(t, "Alertmanager's resolved mail", func() bool {
		for _, m := range mp.Messages(t) {
			if strings.Contains(m.Subject, "RESOLVED") && strings.Contains(m.Subject, "api_busy") {
				return true
			}
		}
		return false
	})
	l.in.Close()
	if err := <-l.done; err != nil {
		t.Fatal(err)
	}
}
