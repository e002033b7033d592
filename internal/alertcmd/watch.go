package alertcmd

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/httpmon/httpmon/internal/alert"
)

// reload is the outcome of reading the rules file again.
type reload struct {
	rules []alert.Rule
	err   error
	why   string // "SIGHUP" or "the file changed"
}

// settle is how long the rules file must stay quiet after a change before
// it is read: editors and deployment tools write a file in several steps,
// and the half-written file in between is not what anyone meant.
const settle = 100 * time.Millisecond

// watcher reads the rules file again on SIGHUP and when the file changes,
// and hands the outcome to the stream's goroutine, which applies it
// between records: the engine and the output belong to that goroutine.
// Only the newest outcome is kept.
type watcher struct {
	src  *ruleSource
	ch   chan reload
	hup  chan os.Signal
	fs   *fsnotify.Watcher
	done chan struct{}
	last []byte // the file's content at the last outcome handed over
}

// watch starts watching src's file, whose content at start-up was data.
// Its directory is watched rather than the file, so that a file replaced
// by a rename (editors) or a symlink swap (Kubernetes ConfigMaps) is seen:
// any change there reads the file again, and a content that did not
// change is ignored.
func watch(src *ruleSource, data []byte) (*watcher, error) {
	w := &watcher{src: src, ch: make(chan reload, 1), hup: make(chan os.Signal, 1), done: make(chan struct{}), last: data}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := fw.Add(filepath.Dir(src.file)); err != nil {
		fw.Close()
		return nil, err
	}
	w.fs = fw
	signal.Notify(w.hup, syscall.SIGHUP)
	go w.run()
	return w, nil
}

func (w *watcher) run() {
	var quiet <-chan time.Time
	var timer *time.Timer
	for {
		select {
		case <-w.done:
			return
		case <-w.hup:
			w.read("SIGHUP", true)
		case _, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if timer == nil {
				timer = time.NewTimer(settle)
			} else {
				timer.Reset(settle)
			}
			quiet = timer.C
		case <-quiet:
			quiet = nil
			w.read("the file changed", false)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.hand(reload{err: fmt.Errorf("watching it: %w", err), why: "the file changed"})
		}
	}
}

// read reads the file and hands the outcome over: always on SIGHUP, on
// file events only when the content differs from the last one seen.
func (w *watcher) read(why string, always bool) {
	rules, data, err := w.src.load()
	if !always && bytes.Equal(data, w.last) {
		// Unchanged, or the same bad content as before: said already.
		return
	}
	w.last = data
	w.hand(reload{rules: rules, err: err, why: why})
}

// hand replaces a pending outcome the stream has not taken yet.
func (w *watcher) hand(r reload) {
	for {
		select {
		case w.ch <- r:
			return
		default:
			select {
			case <-w.ch:
			default:
			}
		}
	}
}

// pending returns the outcome waiting, if any, without blocking.
func (w *watcher) pending() (reload, bool) {
	if w == nil {
		return reload{}, false
	}
	select {
	case r := <-w.ch:
		return r, true
	default:
		return reload{}, false
	}
}

func (w *watcher) stop() {
	if w == nil {
		return
	}
	signal.Stop(w.hup)
	close(w.done)
	w.fs.Close()
}
