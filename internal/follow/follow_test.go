package follow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/lineio"
)

// harness drives a Follower pass by pass with a clock of its own, so that no
// test depends on how fast the machine is.
type harness struct {
	t     *testing.T
	dir   string
	now   time.Time
	fl    *Follower
	got   []string
	warns []string
}

func newHarness(t *testing.T, dir string, opt Options) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, now: time.Unix(1000, 0)}
	for i, p := range opt.Patterns {
		opt.Patterns[i] = filepath.Join(dir, p)
	}
	opt.Now = func() time.Time { return h.now }
	opt.Warn = func(err error) { h.warns = append(h.warns, err.Error()) }
	opt.Linger = 5 * time.Second
	fl, err := New(opt, func(l Line) error {
		rel, _ := filepath.Rel(dir, l.Path)
		text := string(l.Text)
		var tl *lineio.TooLongError
		if errors.As(l.Err, &tl) {
			text = "TOO LONG"
		}
		h.got = append(h.got, fmt.Sprintf("%s:%d:%s", rel, l.No(), text))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fl.Close() })
	h.fl = fl
	return h
}

// poll makes passes until the follower has nothing more to read and
// returns the lines handed out since the last call.
func (h *harness) poll() []string {
	h.t.Helper()
	for {
		more, err := h.fl.Poll()
		if err != nil {
			h.t.Fatal(err)
		}
		if !more {
			break
		}
	}
	got := h.got
	h.got = nil
	return got
}

func (h *harness) expect(want ...string) {
	h.t.Helper()
	got := h.poll()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		h.t.Fatalf("got lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func (h *harness) path(name string) string { return filepath.Join(h.dir, name) }

func write(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// appender is a writer that keeps its file open, as a web server does.
func appender(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAppendFromEnd(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "old1\nold2\n")
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	h.expect()
	write(t, h.path("a.log"), "new1\nnew2\n")
	// Line numbers count the lines that were skipped.
	h.expect("a.log:3:new1", "a.log:4:new2")
	h.expect()
}

func TestFromStart(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "one\r\ntwo\n")
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	h.expect("a.log:1:one", "a.log:2:two")
}

// A line being written when following starts is read whole once it ends.
func TestStartAtLastCompleteLine(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "old\nhal")
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	h.expect()
	write(t, h.path("a.log"), "f\n")
	h.expect("a.log:2:half")
}

func TestPartialLineHeld(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	write(t, h.path("a.log"), "")
	h.expect()
	write(t, h.path("a.log"), "abc")
	h.expect()
	write(t, h.path("a.log"), "def")
	h.expect()
	write(t, h.path("a.log"), "\nx\n")
	h.expect("a.log:1:abcdef", "a.log:2:x")
}

func TestLongLine(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, MaxLine: 10})
	write(t, h.path("a.log"), "")
	h.expect()
	write(t, h.path("a.log"), "short\n"+strings.Repeat("x", 8))
	h.expect("a.log:1:short")
	write(t, h.path("a.log"), strings.Repeat("y", 100))
	h.expect()
	write(t, h.path("a.log"), "\n"+strings.Repeat("z", 20)+"\nok\n")
	h.expect("a.log:2:TOO LONG", "a.log:3:TOO LONG", "a.log:4:ok")
}

// Rotation by rename: the server goes on writing to the renamed file until
// it reopens its log; those lines come out, before the new file's.
func TestRenameRotationKeepsLateLines(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"access.log"}})
	w := appender(t, h.path("access.log"))
	h.expect()
	fmt.Fprint(w, "a1\n")
	h.expect("access.log:1:a1")

	check(t, os.Rename(h.path("access.log"), h.path("access.log.1")))
	fmt.Fprint(w, "a2\n")
	h.expect("access.log:2:a2") // nothing at the path yet

	w2 := appender(t, h.path("access.log"))
	fmt.Fprint(w, "a3\n")
	fmt.Fprint(w2, "b1\n")
	h.expect("access.log:3:a3", "access.log:1:b1")

	// Still within the linger time of its last data.
	h.now = h.now.Add(4 * time.Second)
	fmt.Fprint(w, "a4\nunterminated")
	h.expect("access.log:4:a4")
	h.now = h.now.Add(4 * time.Second)
	h.expect()
	// Quiet for the linger time: let go, with its last unterminated line.
	h.now = h.now.Add(2 * time.Second)
	h.expect("access.log:5:unterminated")
	fmt.Fprint(w, "a6\n")
	fmt.Fprint(w2, "b2\n")
	h.expect("access.log:2:b2")
	if st := h.fl.State(); len(st.Files) != 1 {
		t.Fatalf("state after let go: %+v", st)
	}
}

// Rotation by rename and create, all between two passes: the old file is
// read to its end first.
func TestCreateRotation(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"access.log"}})
	write(t, h.path("access.log"), "")
	h.expect()
	write(t, h.path("access.log"), "a1\n")
	h.expect("access.log:1:a1")
	write(t, h.path("access.log"), "a2\na3\n")
	check(t, os.Rename(h.path("access.log"), h.path("access.log.1")))
	write(t, h.path("access.log"), "b1\n")
	h.expect("access.log:2:a2", "access.log:3:a3", "access.log:1:b1")
	write(t, h.path("access.log"), "b2\n")
	h.expect("access.log:2:b2")
}

func TestCopyTruncate(t *testing.T) {
	for _, tc := range []struct {
		name string
		copy bool
		// after the truncation
		next string
		want []string
	}{
		{"smaller, with copy", true, "b1\n",
			[]string{"access.log:3:a3", "access.log:4:a4", "access.log:1:b1"}},
		{"smaller, copy gone", false, "b1\n",
			[]string{"access.log:1:b1"}},
		// The file grew past the old offset again before the next pass:
		// only its first bytes tell.
		{"grown past the offset", true, "b1 is a long line, longer than all of a1 to a4\n",
			[]string{"access.log:3:a3", "access.log:4:a4", "access.log:1:b1 is a long line, longer than all of a1 to a4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t, dir, Options{Patterns: []string{"access.log"}})
			w := appender(t, h.path("access.log"))
			h.expect()
			fmt.Fprint(w, "a1\na2\n")
			h.expect("access.log:1:a1", "access.log:2:a2")
			fmt.Fprint(w, "a3\na4\n")
			if tc.copy {
				b, err := os.ReadFile(h.path("access.log"))
				check(t, err)
				check(t, os.WriteFile(h.path("access.log.1"), b, 0o644))
			}
			check(t, w.Truncate(0))
			fmt.Fprint(w, tc.next)
			h.expect(tc.want...)
			fmt.Fprint(w, "b2\n")
			h.expect("access.log:2:b2")
		})
	}
}

func TestDeleteAndReappear(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	write(t, h.path("a.log"), "x\n")
	h.expect()
	write(t, h.path("a.log"), "partial")
	h.expect()
	check(t, os.Remove(h.path("a.log")))
	h.expect()
	h.now = h.now.Add(10 * time.Second)
	h.expect("a.log:2:partial") // let go with its last line
	if n := len(h.fl.State().Files); n != 0 {
		t.Fatalf("deleted file still in the state: %+v", h.fl.State())
	}
	write(t, h.path("a.log"), "again\n")
	h.expect("a.log:1:again") // a new file: from its start
}

func TestFileCreatedLater(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	h.expect()
	h.expect()
	if len(h.warns) != 1 || !strings.Contains(h.warns[0], "waiting for it") {
		t.Fatalf("warnings: %q", h.warns)
	}
	write(t, h.path("a.log"), "first\n")
	h.expect("a.log:1:first")
}

func TestGlobPicksUpNewFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "a-old\n")
	write(t, filepath.Join(dir, "notes.txt"), "not matched\n")
	h := newHarness(t, dir, Options{Patterns: []string{"*.log"}})
	h.expect()
	write(t, h.path("b.log"), "b1\n")
	write(t, h.path("a.log"), "a2\n")
	write(t, h.path("notes.txt"), "still not\n")
	h.expect("a.log:2:a2", "b.log:1:b1")
}

func TestBadPattern(t *testing.T) {
	if _, err := New(Options{Patterns: []string{"[x"}}, nil); err == nil {
		t.Fatal("want an error")
	}
	if _, err := New(Options{}, nil); err == nil {
		t.Fatal("want an error")
	}
}

// restart returns a follower resumed from the state of h's.
func restart(t *testing.T, h *harness, patterns ...string) *harness {
	t.Helper()
	st := h.fl.State()
	h.fl.Close()
	return newHarness(t, h.dir, Options{Patterns: patterns, Resume: &st})
}

func TestResumeSameFile(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	write(t, h.path("a.log"), "a1\na2\npart")
	h.expect("a.log:1:a1", "a.log:2:a2")
	write(t, h.path("a.log"), "ial\na4\n")
	h2 := restart(t, h, "a.log")
	h2.expect("a.log:3:partial", "a.log:4:a4")
}

// A file that was not in the state is new only if it appeared after the
// start; an old file that was not followed starts at its end.
func TestResumeNewFileNotInState(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	write(t, h.path("a.log"), "a1\n")
	h.expect("a.log:1:a1")
	write(t, h.path("b.log"), "b1\n")
	h2 := restart(t, h, "a.log", "b.log")
	h2.expect()
	write(t, h.path("b.log"), "b2\n")
	h2.expect("b.log:2:b2")
}

func TestResumeRotatedWhileDown(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"access.log"}, FromStart: true})
	write(t, h.path("access.log"), "a1\n")
	h.expect("access.log:1:a1")
	h.fl.Close()
	write(t, h.path("access.log"), "a2\n")
	check(t, os.Rename(h.path("access.log"), h.path("access.log.1")))
	write(t, h.path("access.log"), "b1\n")
	write(t, h.path("other"), "unrelated\n")
	h2 := restart(t, h, "access.log")
	h2.expect("access.log:2:a2", "access.log:1:b1")
	write(t, h.path("access.log"), "b2\n")
	h2.expect("access.log:2:b2")
}

// The state saved during a rotation has both files; both are resumed.
func TestResumeDuringRotation(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"access.log"}})
	w := appender(t, h.path("access.log"))
	h.expect()
	fmt.Fprint(w, "a1\n")
	check(t, os.Rename(h.path("access.log"), h.path("access.log.1")))
	write(t, h.path("access.log"), "b1\n")
	h.expect("access.log:1:a1", "access.log:1:b1")
	if n := len(h.fl.State().Files); n != 2 {
		t.Fatalf("want both files in the state: %+v", h.fl.State())
	}
	fmt.Fprint(w, "a2\n")
	write(t, h.path("access.log"), "b2\n")
	h2 := restart(t, h, "access.log")
	h2.expect("access.log:2:a2", "access.log:2:b2")
}

func TestResumeTruncatedWhileDown(t *testing.T) {
	for _, tc := range []struct {
		name  string
		copy  bool
		after string
		want  []string
	}{
		{"shorter", false, "b1\n", []string{"access.log:1:b1"}},
		{"longer than the offset", false, "b1 is longer than the old content\n",
			[]string{"access.log:1:b1 is longer than the old content"}},
		{"with a copy", true, "b1\n", []string{"access.log:3:a3", "access.log:1:b1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t, dir, Options{Patterns: []string{"access.log"}, FromStart: true})
			write(t, h.path("access.log"), "a1\na2\n")
			h.expect("access.log:1:a1", "access.log:2:a2")
			h.fl.Close()
			write(t, h.path("access.log"), "a3\n")
			if tc.copy {
				b, err := os.ReadFile(h.path("access.log"))
				check(t, err)
				check(t, os.WriteFile(h.path("access.log.1"), b, 0o644))
			}
			check(t, os.Truncate(h.path("access.log"), 0))
			write(t, h.path("access.log"), tc.after)
			h2 := restart(t, h, "access.log")
			h2.expect(tc.want...)
		})
	}
}

// An inode freed by a deleted file and reused by the next is not taken for
// the old file: the fingerprint differs.
func TestResumeInodeReuse(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	write(t, h.path("a.log"), "first file line 1\nfirst file line 2\n")
	h.expect("a.log:1:first file line 1", "a.log:2:first file line 2")
	st := h.fl.State()
	h.fl.Close()
	// Same device and inode, other content: as if the inode were reused.
	check(t, os.WriteFile(h.path("a.log"), []byte("second file, a longer first line\n"), 0o644))
	h2 := newHarness(t, dir, Options{Patterns: []string{"a.log"}, Resume: &st})
	h2.expect("a.log:1:second file, a longer first line")
}

// A state entry for a file the command no longer follows is dropped.
func TestResumeOtherPatterns(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	write(t, h.path("a.log"), "a1\n")
	h.expect("a.log:1:a1")
	write(t, h.path("b.log"), "b1\n")
	h2 := restart(t, h, "b.log")
	h2.expect()
	if st := h2.fl.State(); len(st.Files) != 1 || filepath.Base(st.Files[0].Path) != "b.log" {
		t.Fatalf("state: %+v", st)
	}
}

func TestStateFingerprint(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
	long := strings.Repeat("x", 2000)
	write(t, h.path("a.log"), "a1\n"+long+"\nrest")
	h.expect("a.log:1:a1", "a.log:2:"+long)
	st := h.fl.State()
	f := st.Files[0]
	b, err := os.ReadFile(h.path("a.log"))
	check(t, err)
	if f.Offset != int64(len(b)-4) || f.Line != 2 || f.FingerprintLen != checkpoint.FingerprintLen ||
		f.Fingerprint != checkpoint.Fingerprint(b[:checkpoint.FingerprintLen]) {
		t.Fatalf("state %+v", f)
	}
}

// Two names of one file, from two patterns, are one file.
func TestSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "")
	check(t, os.Link(filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")))
	h := newHarness(t, dir, Options{Patterns: []string{"a.log", "*.log"}})
	h.expect()
	write(t, h.path("a.log"), "once\n")
	h.expect("a.log:1:once")
}

func TestGlobMatchingNothingYet(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"*.log"}})
	h.expect()
	if len(h.warns) != 1 || !strings.Contains(h.warns[0], "no file matches yet") {
		t.Fatalf("warnings: %q", h.warns)
	}
	write(t, h.path("a.log"), "a1\n")
	h.expect("a.log:1:a1")
}

// Following from the end reads nothing before the end unless a line number
// is asked for; the checkpoint then says 0, not known.
func TestLineNumbersCountedWhenAsked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	write(t, path, "1\n2\n3\n")
	var nos []int64
	ask := false
	fl, err := New(Options{Patterns: []string{path}}, func(l Line) error {
		if ask {
			nos = append(nos, l.No())
		}
		return nil
	})
	check(t, err)
	defer fl.Close()
	_, err = fl.Poll()
	check(t, err)
	write(t, path, "4\n")
	_, err = fl.Poll()
	check(t, err)
	if l := fl.State().Files[0].Line; l != 0 {
		t.Fatalf("line %d in the checkpoint, want 0 (not counted)", l)
	}
	ask = true
	write(t, path, "5\n")
	_, err = fl.Poll()
	check(t, err)
	if len(nos) != 1 || nos[0] != 5 || fl.State().Files[0].Line != 5 {
		t.Fatalf("numbers %v, checkpoint %+v", nos, fl.State().Files[0])
	}
}

func TestStartInsideLongLine(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "ok\n"+strings.Repeat("x", 50))
	write(t, filepath.Join(dir, "b.log"), "no newline yet")
	h := newHarness(t, dir, Options{Patterns: []string{"a.log", "b.log"}, MaxLine: 20})
	h.expect()
	write(t, h.path("a.log"), "end\nnext\n")
	write(t, h.path("b.log"), ", now\n")
	h.expect("a.log:2:TOO LONG", "a.log:3:next", "b.log:1:no newline yet, now")
}

// A file renamed away and back is the same file, not a new one.
func TestRenamedBack(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log"}})
	write(t, h.path("a.log"), "")
	h.expect()
	write(t, h.path("a.log"), "one\n")
	check(t, os.Rename(h.path("a.log"), h.path("a.tmp")))
	h.expect("a.log:1:one")
	check(t, os.Rename(h.path("a.tmp"), h.path("a.log")))
	write(t, h.path("a.log"), "two\n")
	h.expect("a.log:2:two")
	h.now = h.now.Add(time.Minute)
	h.expect()
	write(t, h.path("a.log"), "three\n")
	h.expect("a.log:3:three")
}
