package e2e_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mergeTick is a source's tick of hits requests.
func mergeTick(src string, ts, hits int) string {
	return fmt.Sprintf(`{"kind":"tick","source":%q,"ts":%d,"hits":%d,"bytes":0,"status":{"2xx":%d}}`+"\n", src, ts, hits, hits)
}

// readUntil reads lines until one contains want, each within readLine's
// deadline, and returns them all.
func readUntil(t *testing.T, r *bufio.Reader, want string) []string {
	t.Helper()
	var got []string
	for {
		l := readLine(t, r)
		got = append(got, l)
		if strings.Contains(l, want) {
			return got
		}
		if l == "" {
			t.Fatalf("output ended before %q; got\n%s", want, strings.Join(got, ""))
		}
	}
}

// TestMergeSourceTimeout runs httpmon-window --merge on the wall clock: a
// source that goes silent holds the merge back for --source-timeout, is
// then left out (said on stderr and in the stream), and its records for
// seconds final by then count as late, per source. An input that never
// opens (a FIFO no one writes, like an ssh that never connects) is left
// out the same way.
func TestMergeSourceTimeout(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "web3.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := command(t, "httpmon-window", "--merge", "--source-timeout", "1s", "--sources", "a,b", "-", fifo)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := ready(t, in, out)
	io.WriteString(in, mergeTick("a", 100, 1)+mergeTick("b", 100, 2)+mergeTick("a", 101, 1)+mergeTick("a", 102, 1))
	// Second 100 waits for both sources and for the FIFO, which is left
	// out after a second; then a and b, silent since, are left out, and
	// with no source left to wait for, a's seconds are final.
	got := readUntil(t, br, `"kind":"tick","ts":100,"hits":3,`)
	got = append(got, readUntil(t, br, `"kind":"tick","ts":102,"hits":1,`)...)
	all := strings.Join(got, "")
	for _, want := range []string{`"message":"source b: silent for 1s; idle`, `web3.fifo: no tick, summary or total for 1s; merging without this input`} {
		if !strings.Contains(all, want) {
			t.Errorf("no notice %q in\n%s", want, all)
		}
	}
	io.WriteString(in, mergeTick("b", 101, 5))
	readUntil(t, br, `source b: sends again after being idle`)
	cmd.Process.Signal(syscall.SIGTERM)
	rest := readRest(t, br)
	if err := waitExit(t, cmd); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(rest, `"late":5,`) || !strings.Contains(rest, `"late_sources":[{"source":"b","late":5}]`) {
		t.Errorf("the merged summary does not count b's late requests:\n%s", rest)
	}
	for _, want := range []string{
		"httpmon-window: source b: silent for 1s; idle",
		"source b: tick of 1970-01-01T00:01:41Z with 5 requests came after its second was final; counted as late",
		"httpmon-window: source b: 5 requests in ticks after their second was final, counted as late",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
