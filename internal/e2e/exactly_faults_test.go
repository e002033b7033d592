package e2e_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// The fault test: a writer appends numbered lines at thousands a second,
// rotating the log by rename and by copytruncate, while the whole
// pipeline follows it into a history, and a randomly chosen stage is
// killed (or stopped, then killed) at random moments, each time followed
// by a restart of the pipeline. At the end, the stored ticks must hold
// every line written exactly once, but for the lines copytruncate itself
// drops, and the stored alerts must be those of one uninterrupted replay
// of the same lines.

// Flags of the pipeline under test: short intervals, so that positions
// are committed within seconds; the same for the replay.
var (
	faultWindow = []string{"--interval", "2s", "--lateness", "4s", "--replay-lateness", "4s"}
	faultRule   = []string{"--rule", "burst: hits/s > 2000 over 2s"}
	faultStages = []string{"httpmon-parse", "httpmon-window", "httpmon-alert", "httpmon-report"}
)

// faultRate is the writer's lines per second in second ts: 1,000 and
// 4,000 in turns of 4 s, so that the rule fires and resolves every few
// seconds with a margin of hundreds of lines a second either way.
func faultRate(ts int64) int {
	if (ts/4)%2 == 1 {
		return 4000
	}
	return 1000
}

// logWriter appends the numbered lines to the log and to all.log, which
// is never rotated, and counts them per second, and those that a
// copytruncate dropped (written between its copy and its truncation).
type logWriter struct {
	dir, path string
	f, all    *os.File
	seq       int
	written   map[int64]int
	dropped   map[int64]int
	rotated   int // files rotated away, named path.N
	renames   int
	truncates int
	buf       []byte
}

func newLogWriter(t *testing.T, dir string) *logWriter {
	w := &logWriter{dir: dir, path: filepath.Join(dir, "access.log"), written: map[int64]int{}, dropped: map[int64]int{}}
	var err error
	if w.f, err = os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		t.Fatal(err)
	}
	if w.all, err = os.Create(filepath.Join(dir, "all.log")); err != nil {
		t.Fatal(err)
	}
	return w
}

// write appends n lines of second ts; dropped says that a copytruncate
// is between its copy and its truncation.
func (w *logWriter) write(t *testing.T, ts int64, n int, dropped bool) {
	w.buf = w.buf[:0]
	stamp := time.Unix(ts, 0).UTC().Format("02/Jan/2006:15:04:05 -0700")
	for range n {
		w.seq++
		w.buf = fmt.Appendf(w.buf, "10.0.0.%d - - [%s] \"GET /s/%d HTTP/1.1\" 200 %d\n", w.seq%250, stamp, w.seq, 100+w.seq%900)
	}
	if _, err := w.f.Write(w.buf); err != nil {
		t.Error(err)
	}
	if _, err := w.all.Write(w.buf); err != nil {
		t.Error(err)
	}
	w.written[ts] += n
	if dropped {
		w.dropped[ts] += n
	}
}

// rotate renames the log away and creates a new one, or copies it away
// and truncates it, writing a few lines in between as the server would.
func (w *logWriter) rotate(t *testing.T, rename bool, rng *rand.Rand) {
	w.rotated++
	to := fmt.Sprintf("%s.%d", w.path, w.rotated)
	if rename {
		w.renames++
		if err := os.Rename(w.path, to); err != nil {
			t.Error(err)
			return
		}
		// The server writes on to the renamed file for a moment.
		w.write(t, time.Now().Unix(), rng.IntN(20), false)
		w.f.Close()
		var err error
		if w.f, err = os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			t.Error(err)
			return
		}
		return
	}
	w.truncates++
	b, err := os.ReadFile(w.path)
	if err != nil {
		t.Error(err)
		return
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Error(err)
		return
	}
	w.write(t, time.Now().Unix(), rng.IntN(20), true)
	if err := os.Truncate(w.path, 0); err != nil {
		t.Error(err)
		return
	}
}

// committedHere reports whether the history holds a position in the log's
// current content: only then may it be rotated again, because a file
// that is created and rotated away between the last committed position
// and a crash is in no checkpoint (see README, "Following live logs").
func (w *logWriter) committedHere(db string) bool {
	rs, err := history.ReadResume(db)
	if err != nil || len(rs) == 0 {
		return false
	}
	var ck struct {
		Files []struct {
			Path           string
			Ino            uint64
			FingerprintLen int64 `json:"fingerprint_len"`
			Fingerprint    string
		}
	}
	if json.Unmarshal(rs[0].Checkpoint, &ck) != nil {
		return false
	}
	fi, err := os.Stat(w.path)
	if err != nil {
		return false
	}
	head, err := os.ReadFile(w.path)
	if err != nil {
		return false
	}
	for _, f := range ck.Files {
		if f.Path != w.path || f.Ino != fi.Sys().(*syscall.Stat_t).Ino || f.FingerprintLen == 0 || f.FingerprintLen > int64(len(head)) {
			continue
		}
		sum := sha256.Sum256(head[:f.FingerprintLen])
		if hex.EncodeToString(sum[:]) == f.Fingerprint {
			return true
		}
	}
	return false
}

// pipeline is one run of the four stages, connected by pipes.
type pipeline struct {
	cmds []*exec.Cmd
	done []chan struct{}
}

func startPipeline(t *testing.T, dir, db string, run int, in string) *pipeline {
	t.Helper()
	args := [][]string{
		{"--follow", "--from-start", "--state", db, in},
		faultWindow,
		faultRule,
		{"--db", db},
	}
	p := &pipeline{}
	var closeAfter []*os.File
	for i, name := range faultStages {
		cmd := command(t, name, args[i]...)
		errf, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("stderr.%02d.%s", run, name)), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = errf
		closeAfter = append(closeAfter, errf)
		p.cmds = append(p.cmds, cmd)
	}
	for i := 0; i+1 < len(p.cmds); i++ {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		p.cmds[i].Stdout, p.cmds[i+1].Stdin = w, r
		closeAfter = append(closeAfter, r, w)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	p.cmds[len(p.cmds)-1].Stdout = devnull
	closeAfter = append(closeAfter, devnull)
	// The report first, so that the history exists when parse looks;
	// parse copes either way.
	for i := len(p.cmds) - 1; i >= 0; i-- {
		if err := p.cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
		ch := make(chan struct{})
		p.done = append([]chan struct{}{ch}, p.done...)
		go func(cmd *exec.Cmd) { cmd.Wait(); close(ch) }(p.cmds[i])
	}
	for _, f := range closeAfter {
		f.Close()
	}
	return p
}

// wait waits for every stage to exit, and kills those left after d:
// it reports how many had to be.
func (p *pipeline) wait(d time.Duration) (forced int) {
	deadline := time.After(d)
	for i, ch := range p.done {
		select {
		case <-ch:
		case <-deadline:
			p.cmds[i].Process.Kill()
			<-ch
			forced++
		}
	}
	return forced
}

// storedTicks returns the hits of the stored seconds with any.
func storedTicks(t *testing.T, db string) map[int64]int {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT ts, hits FROM ticks WHERE hits > 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64]int{}
	for rows.Next() {
		var ts int64
		var hits int
		if err := rows.Scan(&ts, &hits); err != nil {
			t.Fatal(err)
		}
		got[ts] = hits
	}
	return got
}

// storedAlerts returns the stored transitions, oldest first, as
// "name state ts starts_at".
func storedAlerts(t *testing.T, db string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT line FROM alerts ORDER BY ts, state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line []byte
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		var a struct {
			Name, State string
			TS          int64
			StartsAt    int64 `json:"starts_at"`
		}
		if err := json.Unmarshal(line, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %d %d", a.Name, a.State, a.TS, a.StartsAt))
	}
	return out
}

// storedSecond reports whether the history has the tick of second ts.
func storedSecond(db string, ts int64) bool {
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		return false
	}
	defer conn.Close()
	var n int
	return conn.QueryRow(`SELECT count(*) FROM ticks WHERE ts=?`, ts).Scan(&n) == nil && n > 0
}

func TestExactlyOnceUnderFaults(t *testing.T) {
	if os.Getenv("CI") == "" && os.Getenv("HTTPMON_FAULTS") == "" {
		t.Skip("takes about two minutes: set HTTPMON_FAULTS=1 (CI=true runs it)")
	}
	kills := 30
	if s := os.Getenv("HTTPMON_FAULTS_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HTTPMON_FAULTS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (HTTPMON_FAULTS_SEED=%d reruns it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	db := filepath.Join(dir, "history.db")
	lw := newLogWriter(t, dir)

	// The writer: lines at faultRate, in steps of 5 ms, and a rotation
	// every 2–4 s once the history has a position in the current file.
	var mu sync.Mutex // guards lw against the final checks
	stopWriter := make(chan struct{})
	writerDone := make(chan struct{})
	wrng := rand.New(rand.NewPCG(seed, 2))
	go func() {
		defer close(writerDone)
		sec, inSec := time.Now().Unix(), 0
		nextRotation := time.Now().Add(2 * time.Second)
		rename := true
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopWriter:
				return
			case <-tick.C:
			}
			now := time.Now()
			mu.Lock()
			if s := now.Unix(); s != sec {
				// The rest of the second's quota, then the new second.
				lw.write(t, sec, max(0, faultRate(sec)-inSec), false)
				sec, inSec = s, 0
			}
			due := int(float64(faultRate(sec)) * float64(now.Nanosecond()) / 1e9)
			if due > inSec {
				lw.write(t, sec, due-inSec, false)
				inSec = due
			}
			if now.After(nextRotation) {
				if lw.committedHere(db) {
					lw.rotate(t, rename, wrng)
					rename = !rename
					nextRotation = now.Add(time.Duration(2000+wrng.IntN(2000)) * time.Millisecond)
				} else {
					nextRotation = now.Add(200 * time.Millisecond)
				}
			}
			mu.Unlock()
		}
	}()

	start := time.Now()
	p := startPipeline(t, dir, db, 0, lw.path)
	var stops, forced int
	byStage := map[string]int{}
	for run := 1; run <= kills; run++ {
		// Mostly short runs, and some long enough to commit positions.
		d := time.Duration(300+rng.IntN(3200)) * time.Millisecond
		if rng.IntN(5) == 0 {
			d = time.Duration(5000+rng.IntN(3000)) * time.Millisecond
		}
		time.Sleep(d) // a random moment, not a wait for a condition
		victim := rng.IntN(len(faultStages))
		byStage[faultStages[victim]]++
		proc := p.cmds[victim].Process
		if rng.IntN(2) == 0 {
			stops++
			proc.Signal(syscall.SIGSTOP)
			time.Sleep(time.Duration(200+rng.IntN(1800)) * time.Millisecond)
		}
		proc.Kill()
		forced += p.wait(15 * time.Second)
		p = startPipeline(t, dir, db, run, lw.path)
	}

	// The end: the writer stops, then writes one line 10 s later in event
	// time, which makes the seconds before it final; once the history
	// has their ticks, httpmon-parse has read every line before that one,
	// and it is stopped with SIGTERM: the pipeline drains.
	close(stopWriter)
	<-writerDone
	mu.Lock()
	last := int64(0)
	for ts := range lw.written {
		last = max(last, ts)
	}
	lw.write(t, last+10, 1, false)
	lw.all.Close()
	mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for !storedSecond(db, last+5) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	p.cmds[0].Process.Signal(syscall.SIGTERM)
	forced += p.wait(30 * time.Second)
	elapsed := time.Since(start)

	// The uninterrupted replay of every line written.
	replayDB := filepath.Join(dir, "replay.db")
	command(t, "httpmon-parse") // built
	replay := exec.Command("/bin/sh", "-c", fmt.Sprintf("%s %s | %s %s --idle 0 | %s %s | %s --db %s > /dev/null",
		filepath.Join(binDir, "httpmon-parse"), filepath.Join(dir, "all.log"),
		filepath.Join(binDir, "httpmon-window"), strings.Join(faultWindow, " "),
		filepath.Join(binDir, "httpmon-alert"), "--rule '"+faultRule[1]+"'",
		filepath.Join(binDir, "httpmon-report"), replayDB))
	if out, err := replay.CombinedOutput(); err != nil {
		t.Fatalf("replay: %v: %s", err, out)
	}

	got := storedTicks(t, db)
	replayed := storedTicks(t, replayDB)
	var lines, dropped, lost, dup, lostDropped int
	for ts, n := range lw.written {
		lines += n
		dropped += lw.dropped[ts]
		if replayed[ts] != n {
			t.Errorf("replay: second %d: %d hits, the writer wrote %d", ts, replayed[ts], n)
		}
		switch g := got[ts]; {
		case g > n:
			dup += g - n
			t.Errorf("second %d: %d hits stored, the writer wrote %d: %d counted twice", ts, g, n, g-n)
		case g < n-lw.dropped[ts]:
			lost += n - lw.dropped[ts] - g
			t.Errorf("second %d: %d hits stored, the writer wrote %d (%d dropped by copytruncate): %d lost", ts, g, n, lw.dropped[ts], n-lw.dropped[ts]-g)
		case g < n:
			lostDropped += n - g
		}
	}
	for ts, g := range got {
		if lw.written[ts] == 0 {
			dup += g
			t.Errorf("second %d: %d hits stored, none written", ts, g)
		}
	}
	alerts, want := storedAlerts(t, db), storedAlerts(t, replayDB)
	if strings.Join(alerts, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored alerts:\n%s\nwant those of the replay:\n%s", strings.Join(alerts, "\n"), strings.Join(want, "\n"))
	}
	if len(want) < 4 {
		t.Errorf("the replay has %d alert transitions, want the rule to fire and resolve several times", len(want))
	}
	t.Logf("%d kills in %s (%d after SIGSTOP; by stage %v; %d stages killed for not exiting), %d rotations (%d rename, %d copytruncate)",
		kills, elapsed.Round(time.Second), stops, byStage, forced, lw.rotated, lw.renames, lw.truncates)
	t.Logf("%d lines written, %d lost, %d counted twice; copytruncate dropped %d, of which %d were not counted; %d alert transitions, as in the replay: %v",
		lines, lost, dup, dropped, lostDropped, len(alerts), strings.Join(alerts, "\n") == strings.Join(want, "\n"))
	if t.Failed() {
		dumpStderr(t, dir)
	}
}

// dumpStderr logs what the stages said, for a failed run.
func dumpStderr(t *testing.T, dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "stderr.*"))
	for _, n := range names {
		b, _ := os.ReadFile(n)
		if len(b) > 0 {
			if len(b) > 2000 {
				b = b[:2000]
			}
			t.Logf("%s:\n%s", filepath.Base(n), b)
		}
	}
}
