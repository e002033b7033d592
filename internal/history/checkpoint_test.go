package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ckLine is a checkpoint record at offset of one file, through through
// (none when 0), a resume checkpoint when resume is set.
func ckLine(offset, through int64, resume bool) []byte {
	s := fmt.Sprintf(`{"kind":"checkpoint","files":[{"path":"/l/a.log","dev":1,"ino":2,"fingerprint_len":0,"fingerprint":"","offset":%d,"line":0}],"patterns":["/l/a.log"]`, offset)
	if through != 0 {
		s += fmt.Sprintf(`,"through":%d`, through)
	}
	if resume {
		s += `,"resume":true`
	}
	return []byte(s + "}")
}

// resumeOf reads the stored checkpoint of source "", failing when there
// is none.
func resumeOf(t *testing.T, s *Store) Resume {
	t.Helper()
	rs, err := ReadResume(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Source != "" {
		t.Fatalf("ReadResume: %+v, want one checkpoint of source \"\"", rs)
	}
	return rs[0]
}

func TestCheckpointIsCommittedWithTheRecordsBeforeIt(t *testing.T) {
	s := open(t, Options{})
	if rs, err := ReadResume(s.Path()); err != nil || len(rs) != 0 {
		t.Fatalf("ReadResume of a new history: %+v, %v; want none", rs, err)
	}
	const t0 = 1_700_000_000
	b1 := append(ticks(t0, t0+10, 0, func(int64) int64 { return 3 }), ckLine(100, t0+9, false))
	b2 := append(ticks(t0+10, t0+20, 0, func(int64) int64 { return 3 }), ckLine(200, t0+19, false), tickLine(t0+20, 0, 1, true))
	store(t, s, b1, b2)
	if got, want := string(resumeOf(t, s).Checkpoint), string(ckLine(200, t0+19, false)); got != want {
		t.Errorf("stored checkpoint:\n%s\nwant the newest:\n%s", got, want)
	}
}

// TestFailedTransactionKeepsThePreviousCheckpoint fails a batch halfway
// through, on the file's size bound, and checks that the checkpoint after
// it was not stored, nor any later one by the same writer, though later
// records are.
func TestFailedTransactionKeepsThePreviousCheckpoint(t *testing.T) {
	s := open(t, Options{MaxPages: 40})
	w, err := s.NewWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const t0 = 1_700_000_000
	write := func(lines ...[]byte) error {
		for _, l := range lines {
			if err := w.Line(l); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	if err := write(append(ticks(t0, t0+10, 0, func(int64) int64 { return 5 }), ckLine(100, t0+9, false))...); err != nil {
		t.Fatal(err)
	}
	err = write(append(ticks(t0+10, t0+20000, 0, func(int64) int64 { return 5 }), ckLine(200, t0+19999, false))...)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("a batch past the bound: %v, want ErrFull", err)
	}
	if err := write(tickLine(t0+30000, 0, 5, true), ckLine(300, t0+30000, false)); err != nil {
		t.Fatalf("a small batch after the failed one: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM ticks WHERE ts=?`, t0+30000); n != 1 {
		t.Fatalf("the later tick: %d stored, want 1", n)
	}
	if got, want := string(resumeOf(t, s).Checkpoint), string(ckLine(100, t0+9, false)); got != want {
		t.Errorf("stored checkpoint:\n%s\nwant the one before the failed batch:\n%s", got, want)
	}
}

// TestResumeTakesBackTheAlertsAfterThrough checks that a resume
// checkpoint drops the stored transitions its pipeline writes again, and
// that the newest of them is still told as notified.
func TestResumeTakesBackTheAlertsAfterThrough(t *testing.T) {
	s := open(t, Options{})
	const t0 = 1_700_000_000
	store(t, s,
		[][]byte{alertLine("a", "firing", t0+5), ckLine(100, t0+9, false)},
		[][]byte{alertLine("a", "resolved", t0+12), alertLine("b", "firing", t0+15)})
	if r := resumeOf(t, s); !r.HasAlerted || r.Alerted != t0+15 {
		t.Fatalf("Alerted = %d, %v; want %d", r.Alerted, r.HasAlerted, t0+15)
	}
	store(t, s, [][]byte{ckLine(100, t0+9, true)})
	if n := count(t, s, `SELECT count(*) FROM alerts`); n != 1 {
		t.Errorf("%d alerts after the resume, want the one up to through", n)
	}
	if r := resumeOf(t, s); !r.HasAlerted || r.Alerted != t0+15 {
		t.Errorf("Alerted after the resume = %d, %v; want still %d", r.Alerted, r.HasAlerted, t0+15)
	}
	// A checkpoint before any request takes back what came after the
	// newest second stored before it.
	store(t, s, [][]byte{ckLine(0, 0, false)}, [][]byte{alertLine("c", "firing", t0+20)})
	store(t, s, [][]byte{ckLine(0, 0, true)})
	if n := count(t, s, `SELECT count(*) FROM alerts`); n != 1 {
		t.Errorf("%d alerts after a resume from a checkpoint without through, want 1", n)
	}
}

func TestReadResumeRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t(x); PRAGMA application_id=7`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(fmt.Sprintf(`PRAGMA user_version=%d`, SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tc := range []struct{ path, want string }{
		{other, "not an httpmon history"},
		{newer, "is newer than this httpmon knows"},
	} {
		before, _ := os.ReadFile(tc.path)
		_, err := ReadResume(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadResume(%s): %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
		if after, _ := os.ReadFile(tc.path); string(after) != string(before) {
			t.Errorf("ReadResume(%s) changed the file", filepath.Base(tc.path))
		}
	}
}

// TestResumeKeepsTheAlertsTheRulesSaw checks that the alerts up to the
// rules' last second, which the restarted alert stage does not write
// again, stay when the window's through is older.
func TestResumeKeepsTheAlertsTheRulesSaw(t *testing.T) {
	s := open(t, Options{})
	const t0 = 1_700_000_000
	ck := fmt.Sprintf(`{"kind":"checkpoint","files":[],"through":%d,"rules":[{"name":"a","expr":"hits > 1 over 3s","state":"inactive","active_at":0,"fired_at":0,"from":%d,"last":%d,"base":[0,0,0],"hits":[0,0,0]}]}`, t0+9, t0, t0+12)
	store(t, s, [][]byte{alertLine("a", "resolved", t0+11), []byte(ck)}, [][]byte{alertLine("a", "firing", t0+14)})
	store(t, s, [][]byte{ckLine(0, t0+9, true)})
	if n := count(t, s, `SELECT count(*) FROM alerts WHERE ts=?`, t0+11); n != 1 {
		t.Errorf("the transition the rules saw: %d stored after the resume, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM alerts WHERE ts=?`, t0+14); n != 0 {
		t.Errorf("the transition after the rules' last second: %d stored after the resume, want it taken back", n)
	}
}

// TestReadResumeReturnsTheStreamPosition stores the checkpoints of a merge
// reading a NATS stream and checks that the resume read returns the
// newest one's position.
func TestReadResumeReturnsTheStreamPosition(t *testing.T) {
	s := open(t, Options{})
	const t0 = 1_700_000_000
	ck := func(through int64, seq uint64) []byte {
		return fmt.Appendf(nil, `{"kind":"checkpoint","files":[],"through":%d,"nats":{"stream":"HTTPMON","seq":%d}}`, through, seq)
	}
	b1 := append(ticks(t0, t0+10, 0, func(int64) int64 { return 3 }), ck(t0+9, 40))
	b2 := append(ticks(t0+10, t0+20, 0, func(int64) int64 { return 3 }), ck(t0+19, 80))
	store(t, s, b1, b2)
	r := resumeOf(t, s)
	if r.NatsStream != "HTTPMON" || r.NatsSeq != 80 {
		t.Errorf("stream position: got %q at %d, want HTTPMON at 80", r.NatsStream, r.NatsSeq)
	}
}
