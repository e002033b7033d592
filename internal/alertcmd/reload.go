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

// reload applies the outcome of a reload the watcher has waiting, if any,
// and flushes what it wrote. The rule records go out first, so that the
// stages after this one see the rules in force before their changes.
func (m *manager) reload() error {
	r, ok := m.w.pending()
	if !ok {
		return nil
	}
	m.announce()
	if err := m.applyReload(r); err != nil {
		return err
	}
	m.needRequests = m.eng.NeedsRequests()
	return m.st.Out.Flush()
}

// applyReload swaps the engine's rules for those of r and writes what
// changed: the resolutions of the alerts whose rules went, the rule
// records of the rules in force and of those removed, and a notice. A
// reload that failed keeps the rules in force and says why.
func (m *manager) applyReload(r reload) error {
	old := slices.Clone(m.eng.Monitors())
	err := r.err
	if err == nil {
		m.resolved, err = m.eng.Replace(r.rules, m.resolved[:0])
	}
	if err != nil {
		m.reloadFailed(r.why, err, len(old))
		return nil
	}
	m.rules = r.rules
	for i := range m.resolved {
		if err := m.st.Emit(m.reloadEnc.Alert(&m.resolved[i])); err != nil {
			return err
		}
		m.nt.send(&m.resolved[i])
	}
	m.nt.setRules(m.eng)
	now, err := ruleRecords(m.reloadEnc, m.eng)
	if err != nil {
		return err
	}
	d := diffRules(old, m.ruleLines, m.eng.Monitors(), now)
	gone, err := m.removedRecords(d.removed)
	if err != nil {
		return err
	}
	if !d.empty() {
		for _, l := range now {
			m.st.Out.Write(l)
		}
		for _, l := range gone {
			m.st.Out.Write(l)
		}
	}
	m.ruleLines = now
	m.st.Rejects.Tell(fmt.Sprintf("--rules %s reloaded (%s): %d rules in force%s", textsafe.String(m.src.file), r.why, len(now), d.summary()))
	return nil
}

// reloadFailed says why a reload was not applied and that the n rules in
// force stay.
func (m *manager) reloadFailed(why string, err error, n int) {
	// Parse errors start with file:line and read errors name the file;
	// the others, like a name used twice, need it.
	msg := textsafe.String(err.Error())
	if !strings.Contains(err.Error(), m.src.file) {
		msg = textsafe.String(m.src.file) + ": " + msg
	}
	m.st.Rejects.Tell(fmt.Sprintf("--rules not reloaded (%s): %s; the %d rules in force stay", why, msg, n))
}

// removedRecords encodes the rule records, marked removed, of the
// monitors whose rules a reload removed.
func (m *manager) removedRecords(removed []*alert.Monitor) ([][]byte, error) {
	var gone [][]byte
	for _, o := range removed {
		b, err := ruleRecord(m.reloadEnc, o, true)
		if err != nil {
			return nil, err
		}
		gone = append(gone, b)
	}
	return gone, nil
}

// ruleDiff is what a reload changed.
type ruleDiff struct {
	added, changed []string
	removed        []*alert.Monitor
}

// diffRules compares the monitors and rule records before a reload, old
// and was, with those after it, mons and now (one record per monitor). A
// rule is changed when its record differs, or when its monitor was
// replaced because its evaluation changed.
func diffRules(old []*alert.Monitor, was [][]byte, mons []*alert.Monitor, now [][]byte) ruleDiff {
	before := map[string]bool{}
	for _, l := range was {
		before[string(l)] = true
	}
	var d ruleDiff
	in := map[string]bool{}
	for i, m := range mons {
		n := m.Rule().Name
		in[n] = true
		switch {
		case !slices.ContainsFunc(old, func(o *alert.Monitor) bool { return o.Rule().Name == n }):
			d.added = append(d.added, n)
		case !before[string(now[i])] || !slices.Contains(old, m):
			d.changed = append(d.changed, n)
		}
	}
	for _, o := range old {
		if !in[o.Rule().Name] {
			d.removed = append(d.removed, o)
		}
	}
	return d
}

func (d *ruleDiff) empty() bool { return len(d.added)+len(d.changed)+len(d.removed) == 0 }

// summary ends the notice of a reload: "; added a, b; removed c", or
// ", unchanged".
func (d *ruleDiff) summary() string {
	if d.empty() {
		return ", unchanged"
	}
	var removed []string
	for _, o := range d.removed {
		removed = append(removed, o.Rule().Name)
	}
	var msg string
	for _, part := range []struct {
		what  string
		names []string
	}{{"added", d.added}, {"changed", d.changed}, {"removed", removed}} {
		if len(part.names) > 0 {
			msg += "; " + part.what + " " + textsafe.String(strings.Join(part.names, ", "))
		}
	}
	return msg
}
