package alertcmd

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// reloadCheck is how often an idle stream looks for a reload to apply.
const reloadCheck = 200 * time.Millisecond

// reloadPending applies the outcome of a reload the watcher has waiting,
// if any, and flushes what it wrote. The rule records of start-up go out
// first if they have not yet, so that the stages after this one learn the
// rules before their changes.
func (m *manager) reloadPending() error {
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
