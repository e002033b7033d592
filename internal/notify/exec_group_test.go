package notify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitGone waits, up to a deadline, for the process whose pid the command
// wrote to file to be gone.
func waitGone(t *testing.T, file string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var pid int
	for pid == 0 {
		b, _ := os.ReadFile(file)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if pid == 0 && time.Now().After(deadline) {
			t.Fatal("the command wrote no pid")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) || zombie(pid) {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("background child %d still running", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// zombie reports a process that is dead but not reaped yet: the child's
// parent, the shell, exited, and whoever inherits it may reap it late.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// TestExecBackgroundChild: a command that starts a child in the background
// and exits 0 is delivered as soon as the shell exits, even though the
// child keeps its standard error open; the child is killed when the sink
// closes (httpmon-alert's exit) or at the command's timeout, whichever
// comes first.
func TestExecBackgroundChild(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	var log bytes.Buffer
	e := NewExec(ExecConfig{Command: `sleep 30 & echo $! > ` + pidFile + `; echo started >&2; exit 0`,
		Timeout: time.Minute, Parallel: 1, Queue: 4, Log: NewLog(&log, "test")})
	start := time.Now()
	e.Notify(firing())
	st := closeNow(e)
	if st != (Stats{Delivered: 1}) {
		t.Errorf("stats %+v, log %q", st, log.String())
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("took %v: waited for the background child", d)
	}
	waitGone(t, pidFile)

	// The timeout comes first: the child goes then, with the sink open.
	pidFile = filepath.Join(dir, "pid2")
	e = NewExec(ExecConfig{Command: `sleep 30 & echo $! > ` + pidFile,
		Timeout: 200 * time.Millisecond, Parallel: 1, Queue: 4, Log: NewLog(&log, "test")})
	e.Notify(firing())
	waitGone(t, pidFile)
	if st := closeNow(e); st != (Stats{Delivered: 1}) {
		t.Errorf("stats %+v, log %q", st, log.String())
	}
}
