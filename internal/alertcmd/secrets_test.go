package alertcmd

import (
	"net"
	"strings"
	"testing"
)

// TestNotifyURLNotShown: neither a bad --notify-* value nor a failing
// destination prints the URL's path, query or userinfo, where webhook
// tokens live; the messages name the host.
func TestNotifyURLNotShown(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"ftp://user:SECRET@example.com/services/SECRET", `--notify-slack wants an http:// or https:// URL with a host, not a "ftp" URL`},
		{"https:///services/T0SECRET/B0SECRET", `--notify-slack wants an http:// or https:// URL with a host, not a "https" URL`},
		{"hooks.slack.com/services/T0SECRET/B0SECRET", `--notify-slack wants an http:// or https:// URL with a host`},
		{"http://exa mple.com/SECRET%zz", `--notify-slack wants an http:// or https:// URL with a host; the value given does not parse`},
	} {
		_, stderr, err := runAlert(t, "", "--notify-slack", tc.url)
		if err == nil {
			t.Errorf("%s: no error", tc.url)
			continue
		}
		msg := err.Error() + stderr.String()
		if strings.Contains(msg, "SECRET") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q", tc.url, msg)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, stderr, err := runAlert(t, flapping(1), "--window", "1s", "--threshold", "0.5",
		"--notify-slack", "http://"+addr+"/services/T0SECRET/B0SECRET/XXXXSECRET", "--notify-attempts", "1")
	if err != nil {
		t.Fatal(err)
	}
	if got := stderr.String(); strings.Contains(got, "SECRET") || !strings.Contains(got, "Post http://"+addr+": dial tcp") {
		t.Errorf("stderr %q", got)
	}
}
