//go:build unix

package follow

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pollWithin makes passes like harness.expect, failing the test instead of
// hanging when a pass blocks or never runs out of data.
func (h *harness) pollWithin(want ...string) {
	h.t.Helper()
	done := make(chan error, 1)
	go func() {
		for range 100 {
			more, err := h.fl.Poll()
			if err != nil || !more {
				done <- err
				return
			}
		}
		done <- errSpin
	}()
	select {
	case err := <-done:
		if err != nil {
			h.t.Fatalf("poll: %v", err)
		}
	case <-time.After(20 * time.Second):
		h.t.Fatal("a pass blocked")
	}
	got := h.got
	h.got = nil
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		h.t.Fatalf("got lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

type spinError struct{}

func (spinError) Error() string { return "a file never runs out of data" }

var errSpin error = spinError{}

// A followed path that becomes something other than a regular file —
// a FIFO (whose open would block), a directory (whose read fails), a
// symbolic link to a device that never ends — is reported once and
// skipped while the other files go on; it is taken up again, as a new
// file, once it is a regular file again.
func TestNonRegularPathSkipped(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"fifo", func(t *testing.T, path string) { check(t, syscall.Mkfifo(path, 0o644)) }},
		{"directory", func(t *testing.T, path string) { check(t, os.Mkdir(path, 0o755)) }},
		{"device", func(t *testing.T, path string) { check(t, os.Symlink("/dev/zero", path)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir+"/a.log", "")
			write(t, dir+"/b.log", "")
			h := newHarness(t, dir, Options{Patterns: []string{"a.log", "b.log"}})
			h.pollWithin()
			check(t, os.Remove(h.path("a.log")))
			tc.make(t, h.path("a.log"))
			write(t, h.path("b.log"), "b1\n")
			h.pollWithin("b.log:1:b1")
			write(t, h.path("b.log"), "b2\n")
			h.pollWithin("b.log:2:b2")
			if len(h.warns) != 1 || !strings.Contains(h.warns[0], "a.log: not a regular file") {
				t.Fatalf("warnings %q, want one about a.log", h.warns)
			}
			check(t, os.RemoveAll(h.path("a.log")))
			write(t, h.path("a.log"), "a1\n")
			h.pollWithin("a.log:1:a1")
		})
	}
}

// A state whose path is now a FIFO does not block the resumed follower.
func TestResumeOntoFIFO(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, Options{Patterns: []string{"a.log", "b.log"}, FromStart: true})
	write(t, h.path("a.log"), "a1\n")
	write(t, h.path("b.log"), "b1\n")
	h.pollWithin("a.log:1:a1", "b.log:1:b1")
	st := h.fl.State()
	h.fl.Close()
	check(t, os.Remove(h.path("a.log")))
	check(t, syscall.Mkfifo(h.path("a.log"), 0o644))
	write(t, h.path("b.log"), "b2\n")
	done := make(chan *harness, 1)
	go func() { done <- newHarness(t, dir, Options{Patterns: []string{"a.log", "b.log"}, Resume: &st}) }()
	var h2 *harness
	select {
	case h2 = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("resuming blocked")
	}
	h2.pollWithin("b.log:2:b2")
	if len(h2.warns) != 1 || !strings.Contains(h2.warns[0], "not a regular file") {
		t.Fatalf("warnings %q", h2.warns)
	}
}

// A symbolic link loop is reported, not waited for in silence.
func TestSymlinkLoopReported(t *testing.T) {
	dir := t.TempDir()
	check(t, os.Symlink("loop.log", dir+"/loop.log"))
	h := newHarness(t, dir, Options{Patterns: []string{"loop.log"}})
	h.pollWithin()
	h.pollWithin()
	if len(h.warns) != 1 || !strings.Contains(h.warns[0], "too many levels of symbolic links") {
		t.Fatalf("warnings %q", h.warns)
	}
}

// A file name with terminal control bytes is escaped in messages.
func TestWarningEscapesName(t *testing.T) {
	dir := t.TempDir()
	check(t, os.Mkdir(dir+"/\x1b[2Jx.log", 0o755))
	h := newHarness(t, dir, Options{Patterns: []string{"*.log"}})
	h.pollWithin()
	if len(h.warns) != 1 || strings.ContainsRune(h.warns[0], 0x1b) || !strings.Contains(h.warns[0], `\x1b[2Jx.log`) {
		t.Fatalf("warnings %q", h.warns)
	}
}
