package e2e_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// These tests follow real files with the built httpmon-parse and stop it
// with signals, as a service manager and logrotate would. They wait with
// generous timeouts but assert no durations.

// logLine returns a log line whose path carries id, so that every request
// can be counted.
func logLine(id int) string {
	return fmt.Sprintf(`127.0.0.1 - - [09/May/2018:16:%02d:%02d +0000] "GET /r/%d HTTP/1.1" 200 10`+"\n", id/60%60, id%60, id)
}

// ids returns how many times each request id occurs in NDJSON records.
func ids(t *testing.T, ndjson []byte) map[int]int {
	t.Helper()
	got := map[int]int{}
	for _, l := range bytes.Split(ndjson, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var rec struct{ Kind, Path string }
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("bad record %q: %v", l, err)
		}
		if rec.Kind == "notice" {
			continue
		}
		var id int
		if _, err := fmt.Sscanf(rec.Path, "/r/%d", &id); err != nil {
			t.Fatalf("record without an id: %q", l)
		}
		got[id]++
	}
	return got
}

// readRequest returns the next line of r that is no notice record.
func readRequest(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	for {
		if l := readLine(t, r); !strings.HasPrefix(l, `{"kind":"notice"`) {
			return l
		}
	}
}

// logIDs returns how many times each request id occurs in log files.
func logIDs(t *testing.T, files ...string) map[int]int {
	t.Helper()
	got := map[int]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			var id int
			if i := strings.Index(l, "/r/"); i >= 0 {
				fmt.Sscanf(l[i:], "/r/%d", &id)
				got[id]++
			}
		}
	}
	return got
}

// follower runs httpmon-parse --follow with its output appended to out.
type follower struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

func startFollower(t *testing.T, out *os.File, args ...string) *follower {
	t.Helper()
	f := &follower{t: t}
	f.cmd = command(t, "httpmon-parse", append([]string{"--follow", "--poll", "50ms", "--state-interval", "100ms"}, args...)...)
	f.cmd.Stdout = out
	f.cmd.Stderr = &f.stderr
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return f
}

// stop sends sig and checks that the command exited 0 with nothing on
// stderr.
func (f *follower) stop(sig syscall.Signal) {
	f.t.Helper()
	f.cmd.Process.Signal(sig)
	if err := waitExit(f.t, f.cmd); err != nil {
		f.t.Fatalf("exit after %v: %v, stderr %q", sig, err, f.stderr.String())
	}
	if f.stderr.Len() > 0 {
		f.t.Fatalf("stderr: %q", f.stderr.String())
	}
}

// waitFor waits until out holds n records.
func waitFor(t *testing.T, out string, n int) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if c := bytes.Count(b, []byte("\n")); c >= n || time.Now().After(deadline) {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFollowSignalFlushesAndSavesState(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "access.log")
			state := filepath.Join(dir, "state.json")
			os.WriteFile(log, []byte(logLine(0)), 0o644)
			cmd := command(t, "httpmon-parse", "--follow", "--state", state, "--state-interval", "50ms", log)
			out, _ := cmd.StdoutPipe()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(out)
			// The log is in the checkpoint once it was opened.
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if b, err := os.ReadFile(state); err == nil && bytes.Contains(b, []byte("access.log")) {
					break
				}
			}
			w, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			// The line already there is not read: following starts at the
			// end. Each new line shows up while the command waits.
			for id := 1; id <= 3; id++ {
				io.WriteString(w, logLine(id))
				if l := readRequest(t, br); !strings.Contains(l, fmt.Sprintf(`"path":"/r/%d"`, id)) {
					t.Fatalf("got %q, want request %d", l, id)
				}
			}
			io.WriteString(w, "half a li")
			cmd.Process.Signal(sig)
			rest, _ := io.ReadAll(br)
			if err := waitExit(t, cmd); err != nil {
				t.Fatalf("exit: %v, stderr %q", err, stderr.String())
			}
			if len(rest) > 0 || stderr.Len() > 0 {
				t.Fatalf("after the signal: stdout %q, stderr %q", rest, stderr.String())
			}
			var st struct {
				Files []struct {
					Path   string
					Offset int64
					Line   int64
				}
			}
			b, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &st); err != nil {
				t.Fatal(err)
			}
			// The checkpoint, written at exit, ends after the last line
			// emitted, before the unfinished one. The line before the
			// start was not counted, so the line number is not known.
			want := int64(4 * len(logLine(0)))
			if len(st.Files) != 1 || st.Files[0].Path != log || st.Files[0].Offset != want || st.Files[0].Line != 0 {
				t.Fatalf("state %s, want offset %d", b, want)
			}
		})
	}
}

// A follower that is stopped and started again while the log is written
// and rotated, in both of logrotate's ways, counts every line of the logs
// exactly once. Two rotations happen while it is down.
func TestFollowRestartExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	state := filepath.Join(dir, "state.json")
	outPath := filepath.Join(dir, "out.ndjson")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w, err := os.OpenFile(log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--from-start", "--state", state, log}
	f := startFollower(t, out, args...)

	rotated := 0
	// shift renames access.log.N to access.log.N+1, as logrotate does.
	shift := func() {
		for i := rotated; i >= 1; i-- {
			os.Rename(fmt.Sprintf("%s.%d", log, i), fmt.Sprintf("%s.%d", log, i+1))
		}
		rotated++
	}
	id := 0
	write := func(n int) {
		for range n {
			id++
			if _, err := io.WriteString(w, logLine(id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Once the first line is out, the follower has the file open.
	write(1)
	waitFor(t, outPath, id)
	for round := range 8 {
		write(300)
		down := round == 2 || round == 3
		if down || round == 5 {
			// Stopped while it is still reading what was just written.
			f.stop(syscall.SIGTERM)
		}
		if round == 5 {
			f = startFollower(t, out, args...)
		}
		shift()
		if round%2 == 0 {
			// create: rename; the server writes on to the old file, then
			// reopens its log.
			os.Rename(log, log+".1")
			write(50)
			nw, err := os.OpenFile(log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			w = nw
		} else {
			// copytruncate: copy, then truncate under the writer.
			b, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(log+".1", b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := w.Truncate(0); err != nil {
				t.Fatal(err)
			}
		}
		write(100)
		if down {
			f = startFollower(t, out, args...)
		}
		// A file must be seen before it is rotated away a second time:
		// what is created and rotated away while the follower is down is
		// not in its checkpoint.
		waitFor(t, outPath, id)
	}
	w.Close()
	files := []string{log}
	for i := 1; i <= rotated; i++ {
		files = append(files, fmt.Sprintf("%s.%d", log, i))
	}
	want := logIDs(t, files...)
	f.stop(syscall.SIGTERM)
	got := ids(t, mustRead(t, outPath))
	if len(want) != id {
		t.Fatalf("the logs hold %d of the %d requests written", len(want), id)
	}
	var lost, dup []int
	for i := 1; i <= id; i++ {
		switch got[i] {
		case 0:
			lost = append(lost, i)
		case 1:
		default:
			dup = append(dup, i)
		}
	}
	if len(lost) > 0 || len(dup) > 0 || len(got) != id {
		t.Fatalf("%d requests: lost %v, counted more than once %v, %d distinct counted", id, lost, dup, len(got))
	}
}

// After a crash (SIGKILL) no line is lost; lines since the last checkpoint
// may be counted again.
func TestFollowCrashLosesNothing(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	state := filepath.Join(dir, "state.json")
	outPath := filepath.Join(dir, "out.ndjson")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	os.WriteFile(log, nil, 0o644)
	f := startFollower(t, out, "--from-start", "--state", state, log)
	w, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for id := 1; id <= 500; id++ {
		io.WriteString(w, logLine(id))
	}
	waitFor(t, outPath, 500)
	// Wait for a checkpoint to exist before the crash.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(state); err == nil {
			break
		}
	}
	for id := 501; id <= 1000; id++ {
		io.WriteString(w, logLine(id))
	}
	f.cmd.Process.Kill()
	f.cmd.Wait()
	f = startFollower(t, out, "--from-start", "--state", state, log)
	for id := 1001; id <= 1200; id++ {
		io.WriteString(w, logLine(id))
	}
	b := waitFor(t, outPath, 1200)
	f.stop(syscall.SIGTERM)
	got := ids(t, b)
	for id := 1; id <= 1200; id++ {
		if got[id] == 0 {
			t.Fatalf("request %d lost", id)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitStateCmd implements "waitstate STATE PATH LINE" for scripts: it waits
// until the checkpoint in STATE says that the file now at PATH was emitted
// up to line LINE; the state names files by absolute path. The checkpoint
// is written only after the output it covers was flushed, so a script can
// then signal the follower and know what it must have written.
func waitStateCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: waitstate STATE PATH LINE")
	}
	want, err := strconv.ParseInt(args[2], 10, 64)
	ts.Check(err)
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		fi, err := os.Stat(ts.MkAbs(args[1]))
		if err != nil {
			continue
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		b, err := os.ReadFile(ts.MkAbs(args[0]))
		if err != nil {
			continue
		}
		last = string(b)
		var s struct {
			Files []struct {
				Path string
				Ino  uint64
				Line int64
			}
		}
		if err := json.Unmarshal(b, &s); err != nil {
			ts.Fatalf("%s: %v", args[0], err)
		}
		for _, f := range s.Files {
			if f.Path == ts.MkAbs(args[1]) && st != nil && f.Ino == uint64(st.Ino) && f.Line == want {
				return
			}
		}
	}
	ts.Fatalf("%s never reached line %d of %s; last state:\n%s", args[0], want, args[1], last)
}

// A file that appears after the last checkpoint, at a named path or
// matching a glob, is new: after a crash, the follower reads it from its
// start, so that the lines written to it while it was down are not lost.
func TestFollowCrashKeepsNewFiles(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	outPath := filepath.Join(dir, "out.ndjson")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	os.Mkdir(filepath.Join(dir, "logs"), 0o755)
	a, c, d := filepath.Join(dir, "a.log"), filepath.Join(dir, "c.log"), filepath.Join(dir, "logs", "d.log")
	os.WriteFile(a, nil, 0o644)
	start := func() *follower {
		// One checkpoint after the first pass, then none before the crash.
		f := &follower{t: t}
		f.cmd = command(t, "httpmon-parse", "--follow", "--poll", "50ms", "--state", state, "--state-interval", "1h",
			a, c, filepath.Join(dir, "logs", "*.log"))
		f.cmd.Stdout = out
		f.cmd.Stderr = &f.stderr
		if err := f.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := start()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(state); bytes.Contains(b, []byte(`a.log`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after the first pass")
		}
	}
	id := 0
	write := func(n int) {
		for range n {
			id++
			path := c
			if id%2 == 0 {
				path = d
			}
			w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, logLine(id))
			w.Close()
		}
	}
	write(6)
	waitFor(t, outPath, id)
	f.cmd.Process.Kill()
	f.cmd.Wait()
	write(6)
	f = start()
	b := waitFor(t, outPath, id+6)
	f.stop(syscall.SIGTERM)
	got := ids(t, b)
	var lost []int
	for i := 1; i <= id; i++ {
		if got[i] == 0 {
			lost = append(lost, i)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("requests lost: %v; stderr %q", lost, f.stderr.String())
	}
}

// A FIFO named as an input waits for a writer, as cat does, but the wait
// ends with SIGTERM like any read, after the records of the files before
// it were flushed.
func TestParseFIFOArgumentHonoursSIGTERM(t *testing.T) {
	dir := t.TempDir()
	a, fifo := filepath.Join(dir, "a.log"), filepath.Join(dir, "pipe")
	os.WriteFile(a, []byte(logLine(1)), 0o644)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := command(t, "httpmon-parse", a, fifo)
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // if the test fails before it exits
	// The record of a.log shows that the command has its signal handlers
	// and is at the FIFO.
	if l := readLine(t, bufio.NewReader(out)); !strings.Contains(l, `"path":"/r/1"`) {
		t.Fatalf("got %q", l)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := waitExit(t, cmd); err != nil {
		t.Fatalf("exit: %v, stderr %q", err, stderr.String())
	}
}

// File names are outside text: a glob can match a name with terminal
// control bytes, and messages quoting it escape them.
func TestFileNamesEscapedInMessages(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "\x1b[2Jx.log")
	os.WriteFile(name, []byte("garbage\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "\x1b]0;title\x07.log"), 0o755)
	cmd := command(t, "httpmon-parse", filepath.Join(dir, "*.log"))
	msg, _ := cmd.CombinedOutput()
	if bytes.ContainsAny(msg, "\x1b\x07") || !bytes.Contains(msg, []byte(`\x1b[2Jx.log: line 1: `)) {
		t.Fatalf("parse: %q", msg)
	}
	cmd = command(t, "httpmon-parse", "-f", "--from-start", "--poll", "50ms", filepath.Join(dir, "*.log"))
	errPath := filepath.Join(t.TempDir(), "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Both are written in the first pass.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		msg := mustRead(t, errPath)
		if bytes.Contains(msg, []byte("line 1: ")) && bytes.Contains(msg, []byte("not a regular file")) || time.Now().After(deadline) {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd)
	if msg := mustRead(t, errPath); bytes.ContainsAny(msg, "\x1b\x07") || !bytes.Contains(msg, []byte(`\x1b[2Jx.log: line 1: `)) || !bytes.Contains(msg, []byte(`\x1b]0;title\x07.log: not a regular file`)) {
		t.Fatalf("follow: %q", msg)
	}
}

// A followed path replaced by a FIFO, whose open would block until a
// writer comes, is skipped: the other files go on and SIGTERM is honoured.
func TestFollowPathBecomesFIFO(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	os.WriteFile(a, nil, 0o644)
	os.WriteFile(b, nil, 0o644)
	state := filepath.Join(dir, "state.json")
	cmd := command(t, "httpmon-parse", "-f", "--poll", "50ms", "--state", state, "--state-interval", "50ms", a, b)
	out, _ := cmd.StdoutPipe()
	errPath := filepath.Join(dir, "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // if the test fails before it exits
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, _ := os.ReadFile(state); bytes.Contains(st, []byte("b.log")) || time.Now().After(deadline) {
			break
		}
	}
	os.Remove(b)
	if err := syscall.Mkfifo(b, 0o644); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	for id := 1; id <= 3; id++ {
		w, _ := os.OpenFile(a, os.O_WRONLY|os.O_APPEND, 0)
		io.WriteString(w, logLine(id))
		w.Close()
		if l := readRequest(t, br); !strings.Contains(l, fmt.Sprintf(`"path":"/r/%d"`, id)) {
			t.Fatalf("got %q", l)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := waitExit(t, cmd); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if msg := mustRead(t, errPath); bytes.Count(msg, []byte("b.log: not a regular file, skipped")) != 1 {
		t.Fatalf("stderr %q, want one notice about b.log", msg)
	}
}
