package stage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// Notices go out under the same rate limit as the messages on stderr, and
// carry the message unescaped; stderr gets it escaped.
func TestRejectsNotices(t *testing.T) {
	var errw bytes.Buffer
	r, err := NewRejects("p", &errw, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	var got []string
	r.SetNotices(func(n *event.Notice) {
		got = append(got, fmt.Sprintf("%s|%s|%d|%s|%d", n.Stage, n.Input, n.Line, n.Message, n.Count))
	})
	for i := 1; i <= 12; i++ {
		r.Report("f.log", int64(i), []byte("x"), errors.New("bad \x1b[2J"))
	}
	now = now.Add(2 * time.Second)
	r.Warn("", 13, "late by %ds", 3)
	r.Summary()
	want := []string{}
	for i := 1; i <= 10; i++ {
		want = append(want, fmt.Sprintf("p|f.log|%d|bad \x1b[2J|0", i))
	}
	want = append(want, "p||13|late by 3s (2 more not shown)|0", "p||0|12 malformed input lines skipped|12")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notices\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(errw.String(), "\x1b") || !strings.Contains(errw.String(), `p: f.log: line 1: bad \x1b[2J`+"\n") {
		t.Errorf("stderr not escaped: %q", errw.String())
	}
}

// Every reported line is in the file as soon as it was reported, and Sync
// makes it durable, as a checkpoint that skips past the lines needs.
func TestRejectsSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rejects")
	var errw bytes.Buffer
	r, err := NewRejects("p", &errw, path)
	if err != nil {
		t.Fatal(err)
	}
	r.Report("", 1, []byte("one"), errors.New("bad"))
	r.Report("", 2, nil, errors.New("too long")) // not kept, not saved
	r.Report("", 3, []byte("three"), errors.New("bad"))
	if b, _ := os.ReadFile(path); string(b) != "one\nthree\n" {
		t.Errorf("before Sync the file holds %q", b)
	}
	if err := r.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(); err != nil {
		t.Errorf("Sync with nothing new: %v", err)
	}
	r.Summary()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(errw.String(), "p: 3 malformed input lines skipped, saved to "+path+"\n") {
		t.Errorf("stderr %q", errw.String())
	}
}

// A rejects file that cannot be written is reported when the write fails,
// once; Sync and Close return the error, and the summary does not claim the
// lines were saved.
func TestRejectsWriteFailure(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	var errw bytes.Buffer
	r, err := NewRejects("p", &errw, "/dev/full")
	if err != nil {
		t.Fatal(err)
	}
	r.Report("", 1, []byte("one"), errors.New("bad"))
	const failed = "p: --rejects /dev/full: no space left on device; malformed lines are no longer saved\np: line 1: bad\n"
	if errw.String() != failed {
		t.Fatalf("when the write failed: %q, want %q", errw.String(), failed)
	}
	errw.Reset()
	if err := r.Sync(); err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("Sync: %v", err)
	}
	r.Report("", 2, []byte("two"), errors.New("bad"))
	r.Summary()
	if err := r.Close(); err == nil {
		t.Error("Close: no error")
	}
	if want := "p: line 2: bad\np: 2 malformed input lines skipped, not saved: writing --rejects failed\n"; errw.String() != want {
		t.Errorf("after: %q, want %q", errw.String(), want)
	}
}
