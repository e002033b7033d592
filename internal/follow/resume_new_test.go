package follow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/checkpoint"
)

// A file that appeared after the last checkpoint (a crash before the next
// one) is new: it is read from its start on resume, at a named path as well
// as matching a glob. Before the first pass was checkpointed, nothing is
// known to be new, so an existing file is still read from its end.
func TestResumeFileNewSinceCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		file    string
	}{
		{"path", "c.log", "c.log"},
		{"glob", "*.log", "c.log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "a.txt"), "not followed\n")
			h := newHarness(t, dir, Options{Patterns: []string{tc.pattern}})
			h.expect()
			st := h.fl.State() // the last checkpoint before the crash
			write(t, h.path(tc.file), "c1\nc2\nc3\n")
			h.fl.Close()
			h2 := newHarness(t, dir, Options{Patterns: []string{tc.pattern}, Resume: &st})
			write(t, h.path(tc.file), "c4\n")
			h2.expect(tc.file+":1:c1", tc.file+":2:c2", tc.file+":3:c3", tc.file+":4:c4")
		})
	}
	t.Run("before the first pass", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
		st := h.fl.State()
		write(t, h.path("a.log"), "old\n")
		h2 := newHarness(t, dir, Options{Patterns: []string{"a.log"}, Resume: &st})
		h2.expect()
		write(t, h.path("a.log"), "new\n")
		h2.expect("a.log:2:new")
	})
	// A state taken by a resumed follower before its first pass still
	// knows what the state it resumed from knew.
	t.Run("resumed before the first pass", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, dir, Options{Patterns: []string{"c.log"}})
		h.expect()
		st := h.fl.State()
		h2 := newHarness(t, dir, Options{Patterns: []string{"c.log"}, Resume: &st})
		st2 := h2.fl.State()
		write(t, h.path("c.log"), "c1\n")
		h3 := newHarness(t, dir, Options{Patterns: []string{"c.log"}, Resume: &st2})
		h3.expect("c.log:1:c1")
	})
	// A pattern added on the command line since the checkpoint was not
	// watched: its existing files are old.
	t.Run("pattern added", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
		h.expect()
		st := h.fl.State()
		write(t, h.path("b.log"), "old\n")
		h2 := newHarness(t, dir, Options{Patterns: []string{"a.log", "b.log"}, Resume: &st})
		h2.expect()
	})
}

// The state names files and patterns by absolute path, so that it means
// the same from any working directory; a state with relative paths, as
// older versions wrote, is taken relative to the working directory.
// Records keep the name as given.
func TestStateAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "a.log", "a1\n")
	var got []string
	handle := func(l Line) error { got = append(got, l.Path+":"+string(l.Text)); return nil }
	fl, err := New(Options{Patterns: []string{"a.log"}, FromStart: true}, handle)
	check(t, err)
	if _, err := fl.Poll(); err != nil {
		t.Fatal(err)
	}
	fl.Close()
	st := fl.State()
	abs := filepath.Join(dir, "a.log")
	if len(st.Files) != 1 || st.Files[0].Path != abs || len(st.Patterns) != 1 || st.Patterns[0] != abs {
		t.Fatalf("state %+v, want %s", st, abs)
	}
	if len(got) != 1 || got[0] != "a.log:a1" {
		t.Fatalf("lines %q", got)
	}
	old := checkpoint.State{Version: checkpoint.Version, Files: []checkpoint.File{st.Files[0]}}
	old.Files[0].Path = "a.log"
	write(t, "a.log", "a2\n")
	got = nil
	fl, err = New(Options{Patterns: []string{"./a.log"}, Resume: &old}, handle)
	check(t, err)
	defer fl.Close()
	if _, err := fl.Poll(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "./a.log:a2" {
		t.Fatalf("resumed from a relative state: lines %q", got)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatal(err)
	}
}
