package e2e_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// With --listen the report serves its page while the input flows, pushes
// each tick to the live stream, keeps serving after the input ends, and
// exits 0 at once on SIGTERM or SIGINT, ending the live streams.
func TestWebListenServesUntilSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { webListen(t, sig) })
	}
}

func webListen(t *testing.T, sig syscall.Signal) {
	page := filepath.Join(t.TempDir(), "page.html")
	cmd := command(t, "httpmon-report", "--listen", "127.0.0.1:0", "--html", page)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	errp, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	stderr := bufio.NewReader(errp)
	line := readLine(t, stderr)
	m := regexp.MustCompile(`serving the web page on (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("want the address on stderr, got %q", line)
	}
	base := m[1]

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	if l := readLine(t, events); l != "retry: 2000\n" {
		t.Fatalf("want the stream to open, got %q", l)
	}
	tick := `{"kind":"tick","ts":1549574100,"hits":3,"bytes":30,"status":{"1xx":0,"2xx":3,"3xx":0,"4xx":0,"5xx":0,"other":0}}`
	io.WriteString(in, tick+"\n")
	for {
		l := readLine(t, events)
		if strings.HasPrefix(l, "data: ") {
			if l != "data: "+tick+"\n" {
				t.Fatalf("want the tick, got %q", l)
			}
			break
		}
	}

	// The end of input writes the --html file; the server stays. The
	// report is for summaries and alerts, and says so of input without
	// them.
	io.WriteString(in, `{"kind":"alert","name":"high_traffic","state":"firing","ts":1549574100,"hits":1206,"threshold":10,"window":120,"rate":10.05}`+"\n")
	in.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(page); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the --html file was not written at the end of input")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r2, err := http.Get(base + "?last=15m")
	if err != nil {
		t.Fatalf("not serving after the input ended: %v", err)
	}
	r2.Body.Close()
	if r2.StatusCode != 200 {
		t.Fatalf("GET / after the input ended: %d", r2.StatusCode)
	}

	cmd.Process.Signal(sig)
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stderr); rest <- string(b) }()
	err, ok := waitExitWithin(t, cmd, 5*time.Second)
	if !ok {
		t.Fatalf("still serving 5s after %v", sig)
	}
	if err != nil {
		t.Fatalf("want exit 0 after %v, got %s: %s", sig, exitStatus(t, err), <-rest)
	}
	if _, err := io.ReadAll(events); err != nil && !strings.Contains(err.Error(), "EOF") && ctx.Err() != nil {
		t.Errorf("the live stream did not end: %v", err)
	}
	if fi, err := os.Stat(page); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("want the page mode 0600, got %v %v", fi.Mode(), err)
	}
}
