package e2e_test

import (
	"database/sql"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// natsPipeline is the central pipeline on a history:
// httpmon-window --merge nats://… --resume DB | httpmon-alert | httpmon-report --db DB.
type natsPipeline struct {
	cmds   []*exec.Cmd
	stderr *natsBuffer
}

const natsRule = "busy: hits > 20 over 1s"

func startNATSPipeline(t *testing.T, n *natsServer, db string) *natsPipeline {
	t.Helper()
	p := &natsPipeline{stderr: &natsBuffer{}}
	p.cmds = []*exec.Cmd{
		command(t, "httpmon-window", "--merge", "--interval", "5s", "--sources", "web0,web1,web2", "--source-timeout", "1m",
			"--resume", db, n.url("HTTPMON")),
		command(t, "httpmon-alert", "--rule", natsRule),
		command(t, "httpmon-report", "--db", db),
	}
	for i, c := range p.cmds {
		c.Stderr = p.stderr
		if i > 0 {
			out, err := p.cmds[i-1].StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			c.Stdin = out
		}
	}
	p.cmds[2].Stdout = io.Discard
	for _, c := range p.cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, c := range p.cmds {
			c.Process.Kill()
		}
	})
	return p
}

// stop stops the merge with SIGTERM; the stages after it end with their
// input.
func (p *natsPipeline) stop(t *testing.T) {
	t.Helper()
	p.cmds[0].Process.Signal(syscall.SIGTERM)
	for _, c := range p.cmds {
		if err := waitExit(t, c); err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(c.Path), err, p.stderr)
		}
	}
}

// historyThrough returns the through of the history's committed
// checkpoint, or -1.
func historyThrough(t *testing.T, db string) int64 {
	t.Helper()
	through, ok := checkpointField(t, db, "$.through")
	if !ok {
		return -1
	}
	return through
}

// historySeq returns the stream position of the history's committed
// checkpoint.
func historySeq(t *testing.T, db string) uint64 {
	t.Helper()
	seq, ok := checkpointField(t, db, "$.nats.seq")
	if !ok {
		t.Fatal("the history has no committed checkpoint with a stream position")
	}
	return uint64(seq)
}

// checkpointField reads the number at path in the history's committed
// checkpoint, reporting whether there is one.
func checkpointField(t *testing.T, db, path string) (int64, bool) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var v sql.NullInt64
	err = conn.QueryRow(`SELECT json_extract(value, ?) FROM meta WHERE key LIKE 'checkpoint:%'`, path).Scan(&v)
	return v.Int64, err == nil && v.Valid
}

// TestNATSResumeFromHistory restarts the central pipeline on its history:
// the merge resumes from the store's committed checkpoint, so that every
// second is stored once with the hits of all hosts, and the alert rule,
// restored from the same checkpoint, notifies no transition twice.
func TestNATSResumeFromHistory(t *testing.T) {
	const base, last = int64(1764496800), int64(40)
	n := startNATS(t)
	db := filepath.Join(t.TempDir(), "central.db")
	p := startNATSPipeline(t, n, db)
	for k := range 3 {
		if err := natsPublish(t, n, base, k, 0, 20, io.Discard); err != nil {
			t.Fatalf("web%d: %v", k, err)
		}
	}
	natsWait(t, "the history to commit second 14", func() bool { return historyThrough(t, db) >= base+14 })
	p.stop(t)
	committed := historyThrough(t, db)

	p = startNATSPipeline(t, n, db)
	for k := range 3 {
		if err := natsPublish(t, n, base, k, 20, last, io.Discard); err != nil {
			t.Fatalf("web%d: %v", k, err)
		}
	}
	natsWait(t, "the history to commit the last second", func() bool { return historyThrough(t, db) >= base+last-1 })
	// The consumer acknowledges what the history committed, no more.
	var floor uint64
	natsWait(t, "the consumer to acknowledge what the history committed", func() bool {
		floor = ackFloor(t, n)
		return floor >= historySeq(t, db)-1
	})
	if seq := historySeq(t, db); floor != seq-1 {
		t.Errorf("acknowledged up to sequence %d, but the history committed up to %d", floor, seq-1)
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "resuming stream HTTPMON at sequence") {
		t.Errorf("the restarted merge did not say it resumed: %s", p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "1 rules resumed from the checkpoint: busy") {
		t.Errorf("the restarted alert did not resume its rule: %s", p.stderr)
	}

	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hits := func(s int64) int64 {
		var h int64
		for k := range 3 {
			h += natsHits(k, s)
		}
		return h
	}
	rows, err := conn.Query(`SELECT ts, hits FROM ticks WHERE source='' ORDER BY ts`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]int64{}
	for rows.Next() {
		var ts, h int64
		if err := rows.Scan(&ts, &h); err != nil {
			t.Fatal(err)
		}
		stored[ts-base] = h
	}
	rows.Close()
	for s := int64(0); s < last; s++ {
		if got, want := stored[s], hits(s); got != want {
			t.Errorf("second %d: stored hits %d, want %d", s, got, want)
		}
	}

	// The rule's transitions, as one pipeline reading every host's
	// records gives them.
	var want []string
	firing := false
	for s := int64(0); s < last; s++ {
		if on := hits(s) > 20; on != firing {
			firing = on
			state := "resolved"
			if on {
				state = "firing"
			}
			want = append(want, fmt.Sprintf("%s %d", state, s))
		}
	}
	rows, err = conn.Query(`SELECT state, ts FROM alerts ORDER BY ts, state`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var state string
		var ts int64
		if err := rows.Scan(&state, &ts); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d", state, ts-base))
	}
	rows.Close()
	if !slices.Equal(got, want) {
		t.Errorf("alert transitions (restart after second %d):\n got %q\nwant %q", committed-base, got, want)
	}
}
