package alertcmd

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// ruleSource is where the rules come from: the --rule flags, read once,
// and the --rules file, read again on reload.
type ruleSource struct {
	flags []alert.Rule
	file  string
}

// load reads the file and returns the rules in force with it, flags first.
// data is what the file held.
func (s *ruleSource) load() (rules []alert.Rule, data []byte, err error) {
	rules = append(rules, s.flags...)
	if s.file == "" {
		return rules, nil, nil
	}
	data, err = os.ReadFile(s.file)
	if err != nil {
		return nil, nil, err
	}
	rs, err := alert.ParseConfig(s.file, data)
	if err != nil {
		return nil, data, err
	}
	return append(rules, rs...), data, nil
}

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

// reloadCheck is how often an idle stream looks for a reload to apply.
const reloadCheck = 200 * time.Millisecond

// reloader applies reloads to a running stream.
type reloader struct {
	st   *stage.Stage
	eng  *alert.Engine
	nt   *notifier
	src  *ruleSource
	enc  *event.Encoder
	buf  []event.Alert
	last []alert.Rule // set by the last successful apply
}

// rules returns the rules in force after the last apply, or rs.
func (rl *reloader) rules(rs []alert.Rule) []alert.Rule {
	if rl.last != nil {
		return rl.last
	}
	return rs
}

// say prints msg on standard error and writes it as a notice record.
func (rl *reloader) say(msg string) { rl.st.Rejects.Tell(msg) }

// apply swaps the engine's rules for those of r and writes what changed:
// the resolutions of the alerts whose rules went, the rule records of the
// rules in force and of those removed, and a notice. A reload that failed
// keeps the rules in force and says why. lines are the rule records in
// force, replaced on success.
func (rl *reloader) apply(r reload, lines *[][]byte) error {
	file := textsafe.String(rl.src.file)
	err := r.err
	old := slices.Clone(rl.eng.Monitors())
	if err == nil {
		rl.buf, err = rl.eng.Replace(r.rules, rl.buf[:0])
	}
	if err != nil {
		// Parse errors start with file:line and read errors name the
		// file; the others, like a name used twice, need it.
		msg := textsafe.String(err.Error())
		if !strings.Contains(err.Error(), rl.src.file) {
			msg = file + ": " + msg
		}
		rl.say(fmt.Sprintf("--rules not reloaded (%s): %s; the %d rules in force stay", r.why, msg, len(old)))
		return nil
	}
	rl.last = r.rules
	for i := range rl.buf {
		if err := rl.st.Emit(rl.enc.Alert(&rl.buf[i])); err != nil {
			return err
		}
		rl.nt.send(&rl.buf[i])
	}
	rl.nt.setRules(rl.eng)
	now, err := ruleRecords(rl.enc, rl.eng)
	if err != nil {
		return err
	}
	was := map[string]bool{}
	for _, l := range *lines {
		was[string(l)] = true
	}
	var added, changed, removed []string
	in := map[string]bool{}
	for i, m := range rl.eng.Monitors() {
		n := m.Rule().Name
		in[n] = true
		switch {
		case !slices.ContainsFunc(old, func(o *alert.Monitor) bool { return o.Rule().Name == n }):
			added = append(added, n)
		case !was[string(now[i])] || !slices.Contains(old, m):
			changed = append(changed, n)
		}
	}
	var gone [][]byte
	for _, m := range old {
		if in[m.Rule().Name] {
			continue
		}
		removed = append(removed, m.Rule().Name)
		b, err := ruleRecord(rl.enc, m, true)
		if err != nil {
			return err
		}
		gone = append(gone, b)
	}
	if len(added)+len(changed)+len(removed) > 0 {
		for _, l := range now {
			rl.st.Out.Write(l)
		}
		for _, l := range gone {
			rl.st.Out.Write(l)
		}
	}
	*lines = now
	msg := fmt.Sprintf("--rules %s reloaded (%s): %d rules in force", file, r.why, len(now))
	for _, part := range []struct {
		what  string
		names []string
	}{{"added", added}, {"changed", changed}, {"removed", removed}} {
		if len(part.names) > 0 {
			msg += "; " + part.what + " " + textsafe.String(strings.Join(part.names, ", "))
		}
	}
	if len(added)+len(changed)+len(removed) == 0 {
		msg += ", unchanged"
	}
	rl.say(msg)
	return nil
}
