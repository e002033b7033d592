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
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// These tests check the plumbing every stage shares, with the real
// binaries: signals, a reader that goes away, files written while the
// command runs. Durations are only upper bounds on a wait for a condition.

// exitStatus describes how a command ended: "exit 0", "exit 1" or
// "killed by broken pipe".
func exitStatus(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return "exit 0"
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatal(err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exit %d", ws.ExitStatus())
}

// waitExitWithin waits for cmd to end, for at most d, and kills it after.
func waitExitWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) (error, bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err, true
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return nil, false
	}
}

// coreutils timeout sends SIGTERM to its child and then to the child's
// process group, so the stage gets it twice at once: that is one request to
// stop, which flushes, not a second Ctrl-C that abandons the flush.
func TestStageSignalTwiceAtOnceIsOneInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			// On a loaded machine the test itself may fail to send the two
			// signals close together; only a run that did says anything.
			for attempt := 1; ; attempt++ {
				if signalTwice(t, sig) || attempt == 5 {
					return
				}
				t.Logf("attempt %d: the signals went out too far apart to be one interrupt; again", attempt)
			}
		})
	}
}

// signalTwice sends sig to httpmon-window twice, the second right after
// the first was taken, and checks that the command flushed and exited 0.
// It returns false, checking nothing, when the two signals could not be
// sent within stage's merge period.
func signalTwice(t *testing.T, sig syscall.Signal) bool {
	cmd := command(t, "httpmon-window", "--lateness", "30s", "--idle", "0")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	io.WriteString(in, `{"kind":"request","ts":100,"section":"/a","status":200,"bytes":1}`+"\n")
	io.WriteString(in, `{"kind":"request","ts":103,"section":"/a","status":500,"bytes":1}`+"\n")
	br := ready(t, in, out)
	first := time.Now()
	cmd.Process.Signal(sig)
	// Two signals sent while the first is still pending merge in the
	// kernel; timeout's second one comes after the first was taken.
	waitDelivered(t, cmd.Process.Pid, sig)
	cmd.Process.Signal(sig)
	apart := time.Since(first)
	got := readRest(t, br)
	st := exitStatus(t, waitExit(t, cmd))
	if st != "exit 0" && apart >= 400*time.Millisecond {
		return false
	}
	if st != "exit 0" {
		t.Fatalf("%s, stderr %q (signals %v apart)", st, stderr.String(), apart)
	}
	if n := strings.Count(got, `"kind":"tick"`); n != 4 {
		t.Errorf("want the 4 pending ticks flushed, got %d in\n%s", n, got)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
	return true
}

// waitDelivered waits until process pid has no sig pending, so that the
// next one is a separate signal.
func waitDelivered(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	bit := uint64(1) << (uint(sig) - 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Skipf("no /proc here: %v", err)
		}
		pending := uint64(0)
		for _, l := range strings.Split(string(b), "\n") {
			for _, f := range []string{"SigPnd:", "ShdPnd:"} {
				if v, ok := strings.CutPrefix(l, f); ok {
					var m uint64
					fmt.Sscanf(strings.TrimSpace(v), "%x", &m)
					pending |= m
				}
			}
		}
		if pending&bit == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v still pending after 10s", sig)
		}
		time.Sleep(time.Millisecond)
	}
}

// A reader that goes away early, as `| head -1` does, is a normal end:
// exit 0, not death by SIGPIPE (141 in the shell), so that scripts with
// `set -o pipefail` work, and nothing on stderr.
func TestStageClosedOutputExitsZero(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, line func(i int) string) string {
		var b strings.Builder
		for i := range 100000 {
			b.WriteString(line(i))
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	logFile := write("access.log", func(i int) string { return clf(i % 60) })
	other := write("other.ndjson", func(i int) string { return fmt.Sprintf(`{"kind":"other","i":%d}`+"\n", i) })
	summaries := write("summaries.ndjson", func(i int) string {
		return fmt.Sprintf(`{"kind":"summary","start":%d,"end":%d,"seconds":10,"partial":false,"hits":7,"rps":0.7,"bytes":70,"status":{"1xx":0,"2xx":7,"3xx":0,"4xx":0,"5xx":0,"other":0},"late":0,"sections_total":1,"sections":[{"section":"/a","hits":7,"bytes":70,"4xx":0,"5xx":0,"top_path":"/a","top_bytes":10}]}`+"\n", 10*i, 10*i+10)
	})
	tests := []struct {
		name, input string
		args        []string
	}{
		{"httpmon-parse", "", []string{logFile}},
		{"httpmon-window", other, nil},
		{"httpmon-alert", other, nil},
		{"httpmon-report", summaries, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := command(t, tc.name, tc.args...)
			if tc.input != "" {
				f, err := os.Open(tc.input)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdin = f
			}
			out, _ := cmd.StdoutPipe()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			bufio.NewReader(out).ReadString('\n')
			out.Close()
			if st := exitStatus(t, waitExit(t, cmd)); st != "exit 0" {
				t.Errorf("%s, want exit 0", st)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %q", stderr.String())
			}
		})
	}
}

// A stage whose reader goes away while its input is quiet notices at once,
// as GNU tail does, instead of waiting for its next write: quitting the
// dashboard must give the shell back.
func TestStageReaderGoneWhileIdle(t *testing.T) {
	dir := t.TempDir()
	quiet := filepath.Join(dir, "quiet.log")
	if err := os.WriteFile(quiet, []byte(clf(0)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmd  string
		args []string
	}{
		{"parse reading a silent stdin", "httpmon-parse", nil},
		{"parse following a quiet file", "httpmon-parse", []string{"--follow", quiet}},
		{"window on an open pipe", "httpmon-window", nil},
		{"alert on an open pipe", "httpmon-alert", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := command(t, tc.cmd, tc.args...)
			in, _ := cmd.StdinPipe()
			defer in.Close()
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout = w
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			br := bufio.NewReader(r)
			if tc.cmd == "httpmon-parse" && len(tc.args) == 0 {
				io.WriteString(in, clf(1))
			} else if tc.cmd != "httpmon-parse" {
				io.WriteString(in, `{"kind":"e2e-ready"}`+"\n")
			}
			if len(tc.args) == 0 {
				// The command is up and idle once its first record is out.
				readLine(t, br)
			}
			r.Close()
			start := time.Now()
			err, ok := waitExitWithin(t, cmd, 5*time.Second)
			if !ok {
				t.Fatalf("still running 5s after its reader went away (stderr %q)", stderr.String())
			}
			if st := exitStatus(t, err); st != "exit 0" {
				t.Errorf("%s, want exit 0 (stderr %q)", st, stderr.String())
			}
			t.Logf("exited %v after the reader went away", time.Since(start).Round(time.Millisecond))
			if stderr.Len() > 0 {
				t.Errorf("stderr: %q", stderr.String())
			}
		})
	}
}

// Rejected lines reach the --rejects file while the command runs, not only
// at exit: a crash or SIGKILL must not lose them.
func TestStageRejectsWrittenWhileRunning(t *testing.T) {
	rejects := filepath.Join(t.TempDir(), "rejects.txt")
	cmd := command(t, "httpmon-parse", "--rejects", rejects)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}()
	io.WriteString(in, "this is not a log line\n"+clf(0))
	readLine(t, bufio.NewReader(out))
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(rejects)
		if string(b) == "this is not a log line\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rejects file holds %q while the command runs", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if b, _ := os.ReadFile(rejects); string(b) != "this is not a log line\n" {
		t.Errorf("after SIGKILL the rejects file holds %q", b)
	}
}

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	unlock := 0
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Fatalf("TIOCSPTLCK: %v", errno)
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Fatalf("TIOCGPTN: %v", errno)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// A stage started with nothing piped in says what it expects instead of
// waiting silently, and goes on reading the terminal.
func TestStageTerminalInputNotice(t *testing.T) {
	tests := []struct{ cmd, want string }{
		{"httpmon-parse", "httpmon-parse: reading log lines from the terminal; give a file name or pipe a log into me (Ctrl-D ends)"},
		{"httpmon-window", "httpmon-window: reading request records from the terminal; pipe httpmon-parse into me (Ctrl-D ends)"},
		{"httpmon-alert", "httpmon-alert: reading ticks from the terminal; pipe httpmon-window into me (Ctrl-D ends)"},
		{"httpmon-report", "httpmon-report: reading summaries and alerts from the terminal; pipe httpmon-window or httpmon-alert into me (Ctrl-D ends)"},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			_, tty := openPTY(t)
			cmd := command(t, tc.cmd)
			cmd.Stdin = tty
			out, _ := cmd.StdoutPipe()
			errR, errW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = errW
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			errW.Close()
			defer func() {
				cmd.Process.Kill()
				cmd.Wait()
				out.Close()
			}()
			if got := strings.TrimSpace(readLine(t, bufio.NewReader(errR))); got != tc.want {
				t.Errorf("stderr %q, want %q", got, tc.want)
			}
		})
	}
}

// A file name is outside text too: a message that quotes it cannot clear
// the screen. (A test script cannot pass an ESC byte in an argument.)
func TestStageFileNameEscaped(t *testing.T) {
	cmd := command(t, "httpmon-parse", filepath.Join(t.TempDir(), "no\x1b[2Jsuch.log"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if st := exitStatus(t, cmd.Run()); st != "exit 1" {
		t.Errorf("%s, want exit 1", st)
	}
	if strings.Contains(stderr.String(), "\x1b") || !strings.Contains(stderr.String(), `no\x1b[2Jsuch.log: no such file or directory`) {
		t.Errorf("stderr %q", stderr.String())
	}
}
