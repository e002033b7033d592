package notify

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRedactURL: a message names a notification target by its scheme and
// host only; path, query and userinfo hold the tokens.
func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://hooks.slack.com/services/T0SECRET/B0SECRET/XXXXSECRET", "https://hooks.slack.com"},
		{"http://user:SECRET@127.0.0.1:9093/hook?token=SECRET#SECRET", "http://127.0.0.1:9093"},
		{"http://[::1]:80/SECRET", "http://[::1]:80"},
		{"http://exa\x1bmple.com/SECRET", "(URL not shown)"},
		{"not a url SECRET", "(URL not shown)"},
		{"", "(URL not shown)"},
	} {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q): want %q, got %q", tc.in, tc.want, got)
		}
	}
}

// TestWebhookErrorsHideTheURL: net/http quotes the whole URL in its
// errors ("Post \"https://…/T0SECRET/…\": dial tcp …"); a failing
// destination is named by its host only.
func TestWebhookErrorsHideTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	for _, u := range []string{
		"http://" + addr + "/services/T0SECRET/B0SECRET/XXXXSECRET",
		"http://user:SECRET@" + addr + "/hook?token=SECRET",
	} {
		var log bytes.Buffer
		cfg := testConfig(u, NewLog(&log, "test"))
		cfg.Attempts = 1
		h := NewHTTP(cfg)
		h.Notify(firing())
		closeNow(h)
		got := log.String()
		if strings.Contains(got, "SECRET") || !strings.Contains(got, "http://"+addr) || !strings.Contains(got, "dropped after 1 attempts") {
			t.Errorf("%s: log %q", u, got)
		}
	}
}

// rawServer answers every request with the bytes of resp, so that a test
// can send a status line net/http's server would never write.
func rawServer(t *testing.T, resp string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				io.WriteString(c, resp)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/hook/SECRET"
}

// TestWebhookReasonEscaped: the reason phrase of a receiver's answer is
// outside text and reaches the terminal only escaped.
func TestWebhookReasonEscaped(t *testing.T) {
	u := rawServer(t, "HTTP/1.1 400 Bad \x1b[2J\x1b]0;owned\x07Request\r\nContent-Length: 9\r\nConnection: close\r\n\r\nno \x1b[31m!")
	var log bytes.Buffer
	h := NewHTTP(testConfig(u, NewLog(&log, "test")))
	h.Notify(firing())
	closeNow(h)
	got := log.String()
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `HTTP 400 Bad \x1b[2J\x1b]0;owned\x07Request`) {
		t.Errorf("log %q", got)
	}
	if strings.Contains(got, "SECRET") {
		t.Errorf("URL path in log %q", got)
	}
}

// TestWebhookRedirectNotFollowed: a redirect would send the alert on to a
// URL nobody configured, with a GET that drops the body; it is a failure
// that names the status, not the Location.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	u := rawServer(t, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/other/SECRET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	var log bytes.Buffer
	h := NewHTTP(testConfig(u, NewLog(&log, "test")))
	h.Notify(firing())
	st := closeNow(h)
	if st != (Stats{Failed: 1, Dropped: 1}) {
		t.Errorf("stats %+v", st)
	}
	if got := log.String(); strings.Contains(got, "SECRET") || !strings.Contains(got, "HTTP 302 Found") {
		t.Errorf("log %q", got)
	}
}

// TestQueueFullRateLimited: a flood of alerts into a full queue gives one
// message a second, each counting the drops it stands for, not one line
// per drop; the exit summary still counts them all.
func TestQueueFullRateLimited(t *testing.T) {
	var log bytes.Buffer
	e := NewExec(ExecConfig{Command: `sleep 30`, Parallel: 1, Queue: 1, Log: NewLog(&log, "test")})
	now := time.Unix(1000, 0)
	e.q.now = func() time.Time { return now }
	for range 1000 {
		e.Notify(firing())
	}
	now = now.Add(time.Second)
	e.Notify(firing())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	st := e.Close(ctx)
	if st.Dropped != 1001 {
		t.Errorf("stats %+v", st)
	}
	var full []string
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if strings.Contains(l, "full") {
			full = append(full, l)
		}
	}
	// 1000 pushes: one runs (or waits in the queue), the rest drop.
	if len(full) != 2 || !strings.Contains(full[1], "more dropped since the last message") {
		t.Errorf("want 2 queue-full lines, got %d:\n%s", len(full), strings.Join(full, "\n"))
	}
}
