package follow

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Run flushes (step with waiting) before it waits, is woken by a change to
// a followed file long before its poll interval, and returns nil when its
// context ends.
func TestRunWakesOnChange(t *testing.T) {
	if w, err := fsnotify.NewWatcher(); err != nil {
		t.Skipf("no file-system notifications here: %v", err)
	} else {
		w.Close()
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	write(t, path, "")
	lines := make(chan string, 10)
	fl, err := New(Options{Patterns: []string{path}, Poll: time.Hour}, func(l Line) error {
		lines <- string(l.Text)
		return nil
	})
	check(t, err)
	defer fl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan bool, 100)
	done := make(chan error, 1)
	go func() {
		done <- fl.Run(ctx, func(w bool) error {
			select {
			case waiting <- w:
			default:
			}
			return nil
		})
	}()
	if w := <-waiting; !w {
		t.Fatal("the first pass found nothing, so Run must be about to wait")
	}
	write(t, path, "hello\n")
	select {
	case l := <-lines:
		if l != "hello" {
			t.Fatalf("got %q", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a change did not wake the follower")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
}

// A handler's error stops Run and is returned.
func TestRunStopsOnHandlerError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	write(t, path, "x\n")
	boom := os.ErrClosed
	fl, err := New(Options{Patterns: []string{path}, FromStart: true}, func(Line) error { return boom })
	check(t, err)
	defer fl.Close()
	if err := fl.Run(context.Background(), func(bool) error { return nil }); err != boom {
		t.Fatalf("got %v", err)
	}
}
