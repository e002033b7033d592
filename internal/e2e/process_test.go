package e2e_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binaries, because what they check — signals,
// pipes closing, output appearing while input is still open — happens
// between processes.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func command(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the commands")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "httpmon-e2e")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "github.com/httpmon/httpmon/cmd/...").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building the commands: %v", buildErr)
	}
	return exec.Command(filepath.Join(binDir, name), args...)
}

// clf returns a log line of second sec (0–59) of a fixed minute.
func clf(sec int) string {
	return fmt.Sprintf(`1.1.1.1 - - [09/May/2018:16:00:%02d +0000] "GET /a/b HTTP/1.1" 200 10`+"\n", sec)
}

// readLine reads one line from r or fails after a timeout: the output must
// appear while the input is still open.
func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	ch := make(chan string, 1)
	go func() {
		l, _ := r.ReadString('\n')
		ch <- l
	}()
	select {
	case l := <-ch:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no output while input is idle: output is not flushed")
		return ""
	}
}

// ready returns once the command has its signal handlers and is reading
// records: it passes a record of a kind no stage owns straight through. A
// signal sent before that would kill the command instead of stopping it.
func ready(t *testing.T, in io.Writer, out io.Reader) *bufio.Reader {
	t.Helper()
	io.WriteString(in, `{"kind":"e2e-ready"}`+"\n")
	br := bufio.NewReader(out)
	l := readLine(t, br)
	for strings.HasPrefix(l, `{"kind":"rule",`) { // httpmon-alert's rules come first
		l = readLine(t, br)
	}
	if !strings.Contains(l, "e2e-ready") {
		t.Fatalf("want the marker record back first, got %q", l)
	}
	return br
}

// readRest reads r to its end, or fails after a timeout.
func readRest(t *testing.T, r io.Reader) string {
	t.Helper()
	ch := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		ch <- b
	}()
	select {
	case b := <-ch:
		return string(b)
	case <-time.After(20 * time.Second):
		t.Fatal("output did not end")
		return ""
	}
}

func waitExit(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("command did not exit")
		return nil
	}
}

// A live pipeline must show each record as it arrives, not when a buffer
// fills or input ends.
func TestOutputFlushedWhenInputIdle(t *testing.T) {
	cmd := command(t, "httpmon-parse")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	for i := range 3 {
		io.WriteString(in, clf(i))
		if l := readLine(t, br); !strings.Contains(l, `"kind":"request"`) {
			t.Fatalf("got %q", l)
		}
	}
	in.Close()
	if err := waitExit(t, cmd); err != nil {
		t.Fatal(err)
	}
}

// SIGINT and SIGTERM flush what is pending — here the window's pending
// seconds and its partial summary — and exit 0, even though the input is
// still open.
func TestSignalFlushesPending(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := command(t, "httpmon-window", "--lateness", "30s")
			in, _ := cmd.StdinPipe()
			out, _ := cmd.StdoutPipe()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			io.WriteString(in, `{"kind":"request","ts":100,"section":"/a","status":200,"bytes":1}`+"\n")
			io.WriteString(in, `{"kind":"request","ts":103,"section":"/a","status":500,"bytes":1}`+"\n")
			// With --lateness 30s nothing has been emitted yet.
			br := ready(t, in, out)
			cmd.Process.Signal(sig)
			got := readRest(t, br)
			err := waitExit(t, cmd)
			in.Close()
			if err != nil {
				t.Fatalf("exit: %v, stderr %q", err, stderr.String())
			}
			if n := strings.Count(got, `"kind":"tick"`); n != 4 {
				t.Errorf("want ticks 100..103, got %d in\n%s", n, got)
			}
			if !strings.Contains(got, `{"kind":"summary","start":100,"end":110,"seconds":4,"partial":true,"hits":2,`) {
				t.Errorf("partial summary missing:\n%s", got)
			}
			// The run's total comes last, after the summary.
			if lines := strings.Split(strings.TrimSpace(got), "\n"); !strings.HasPrefix(lines[len(lines)-1],
				`{"kind":"total","start":100,"end":104,"utc_offset":0,"seconds":4,"hits":2,"bytes":2,"late":0,`) {
				t.Errorf("total missing at the end:\n%s", got)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %q", stderr.String())
			}
		})
	}
}

// On Ctrl-C every stage of a pipeline gets SIGINT at once; a downstream
// stage still takes in what its upstream flushes on the way out.
func TestSignalDrainsUpstream(t *testing.T) {
	cmd := command(t, "httpmon-alert", "--window", "2s", "--threshold", "0")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := ready(t, in, out)
	cmd.Process.Signal(syscall.SIGINT)
	// The upstream's last words arrive after the signal.
	time.Sleep(200 * time.Millisecond)
	io.WriteString(in, `{"kind":"tick","ts":5,"hits":3}`+"\n")
	in.Close()
	got := readRest(t, br)
	if err := waitExit(t, cmd); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"state":"firing","ts":5`) {
		t.Fatalf("the tick sent after SIGINT was lost:\n%s", got)
	}
}
