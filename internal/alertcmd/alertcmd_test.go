package alertcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// lockedBuffer is a standard error that notification goroutines and the
// command can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// flapping returns n ticks that turn "hits > 0 over 1s" on and off every
// second: n transitions.
func flapping(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"kind":"tick","ts":%d,"hits":%d,"bytes":0}`+"\n", 1000+i, 1-i%2)
	}
	return b.String()
}

func runAlert(t *testing.T, stdin string, args ...string) (stdout string, stderr *lockedBuffer, err error) {
	t.Helper()
	app := New()
	var out bytes.Buffer
	stderr = &lockedBuffer{}
	app.Reader, app.Writer, app.ErrWriter = strings.NewReader(stdin), &out, stderr
	app.ExitErrHandler = func(*cli.Context, error) {}
	err = app.RunContext(context.Background(), append([]string{name}, args...))
	return out.String(), stderr, err
}

// TestWebhookNeverBlocksTheStream sends 200 transitions to a receiver that
// never answers: every alert record still goes out at once, the queue's
// overflow is dropped, and at the end the grace time cuts off the rest and
// the drops are reported.
func TestWebhookNeverBlocksTheStream(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	out, stderr, err := runAlert(t, flapping(200), "--rule", "r: hits > 0 over 1s",
		"--notify-webhook", srv.URL, "--notify-queue", "4", "--notify-grace", "300ms")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if n := strings.Count(out, `"kind":"alert"`); n != 200 {
		t.Errorf("want 200 alert records, got %d", n)
	}
	if !strings.Contains(stderr.String(), "httpmon-alert: notify-webhook: 0 delivered, 200 dropped") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestWebhookDelivers checks that every transition reaches a receiver, in
// order, and that --notify-resolved=false keeps resolutions back.
func TestWebhookDelivers(t *testing.T) {
	for _, resolved := range []bool{true, false} {
		var mu sync.Mutex
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var p struct {
				Status string `json:"status"`
				Alerts []struct {
					StartsAt string `json:"startsAt"`
					EndsAt   string `json:"endsAt"`
				} `json:"alerts"`
			}
			if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
				t.Error(err)
			}
			mu.Lock()
			got = append(got, p.Status+" "+p.Alerts[0].StartsAt+" "+p.Alerts[0].EndsAt)
			mu.Unlock()
		}))
		out, stderr, err := runAlert(t, flapping(4), "--window", "1s", "--threshold", "0.5",
			"--notify-webhook", srv.URL, fmt.Sprintf("--notify-resolved=%v", resolved))
		srv.Close()
		if err != nil || stderr.String() != "" {
			t.Fatalf("%v %s", err, stderr.String())
		}
		// The default rule's records stay v1, its notifications do not.
		v2 := false
		for _, l := range strings.Split(out, "\n") {
			v2 = v2 || strings.HasPrefix(l, `{"kind":"alert"`) && strings.Contains(l, `"metric"`)
		}
		if v2 || strings.Count(out, `"kind":"alert"`) != 4 {
			t.Errorf("stdout: %s", out)
		}
		want := []string{
			"firing 1970-01-01T00:16:40Z 0001-01-01T00:00:00Z",
			"resolved 1970-01-01T00:16:40Z 1970-01-01T00:16:41Z",
			"firing 1970-01-01T00:16:42Z 0001-01-01T00:00:00Z",
			"resolved 1970-01-01T00:16:42Z 1970-01-01T00:16:43Z",
		}
		if !resolved {
			want = []string{want[0], want[2]}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("resolved=%v:\nwant %q\n got %q", resolved, want, got)
		}
	}
}

// TestNotifyExecFails runs a failing command: the stream is unaffected and the
// failures are reported one by one and counted at the end.
func TestNotifyExecFails(t *testing.T) {
	out, stderr, err := runAlert(t, flapping(2), "--window", "1s", "--threshold", "0.5",
		"--notify-exec", "echo nope >&2; exit 1", "--notify-exec-parallel", "1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, `"kind":"alert"`) != 2 {
		t.Errorf("stdout: %s", out)
	}
	want := "httpmon-alert: notify-exec: high_traffic firing: exit status 1: \"nope\"\n" +
		"httpmon-alert: notify-exec: high_traffic resolved: exit status 1: \"nope\"\n" +
		"httpmon-alert: notify-exec: 0 delivered, 2 dropped, 2 failed attempts\n"
	if stderr.String() != want {
		t.Errorf("want %q\n got %q", want, stderr.String())
	}
}
