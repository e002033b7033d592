package alert

import (
	"errors"
	"fmt"
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// sameEvaluation reports whether a and b evaluate alike and give their
// alerts the same labels: everything but the annotations, which are texts
// for people, and where they were written.
func sameEvaluation(a, b *Rule) bool {
	return a.Name == b.Name && a.Metric == b.Metric && a.Op == b.Op && a.Threshold == b.Threshold &&
		a.Window == b.Window && a.Section == b.Section && a.Source == b.Source &&
		a.MinRequests == b.MinRequests && a.For == b.For && a.KeepFiringFor == b.KeepFiringFor &&
		a.V1 == b.V1 && slices.Equal(a.Labels, b.Labels)
}

// Replace swaps the engine's rules for rules between two ticks, as a
// reload of the rules file does, and appends to dst the resolutions of
// the alerts that stop being evaluated. A rule that evaluates as before
// keeps its monitor, and so its window and its alert's state: a firing
// alert stays firing without a new announcement; it takes the new
// annotations. A removed rule, or one whose definition changed, is
// dropped: if its alert was firing it is resolved at the last second
// evaluated, and a changed rule starts again with an empty window, as a
// new one does. On error nothing changes.
func (e *Engine) Replace(rules []Rule, dst []event.Alert) ([]event.Alert, error) {
	mons, kept, err := e.monitorsFor(rules)
	if err != nil {
		return dst, err
	}
	// Nothing can fail from here on.
	for i, m := range mons {
		if kept[m] {
			m.rule.Annotations, m.rule.Origin = rules[i].Annotations, rules[i].Origin
		}
	}
	dst = e.resolveDropped(kept, dst)
	sels, sel := selectorsOf(mons)
	e.regroupFuture(sels)
	e.free = nil
	e.mons, e.sel, e.sels = mons, sel, sels
	return dst, nil
}

// monitorsFor returns a monitor per rule, in rule order: the engine's own
// for a rule that evaluates as before, marked in kept, a new one for the
// others. It changes nothing.
func (e *Engine) monitorsFor(rules []Rule) (mons []*Monitor, kept map[*Monitor]bool, err error) {
	if len(rules) == 0 {
		return nil, nil, errors.New("no rules")
	}
	old := map[string]*Monitor{}
	for _, m := range e.mons {
		old[m.rule.Name] = m
	}
	names := map[string]string{}
	mons = make([]*Monitor, 0, len(rules))
	kept = map[*Monitor]bool{}
	for _, r := range rules {
		if prev, ok := names[r.Name]; ok {
			return nil, nil, fmt.Errorf("rule name %q used twice (%s and %s)", r.Name, prev, r.Origin)
		}
		names[r.Name] = r.Origin
		if m := old[r.Name]; m != nil && sameEvaluation(&m.rule, &r) {
			kept[m] = true
			mons = append(mons, m)
			continue
		}
		m, err := newMonitor(r)
		if err != nil {
			return nil, nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		mons = append(mons, m)
	}
	return mons, kept, nil
}

// resolveDropped appends to dst the resolutions of the firing alerts of
// the engine's monitors not kept, at the last second evaluated.
func (e *Engine) resolveDropped(kept map[*Monitor]bool, dst []event.Alert) []event.Alert {
	for _, m := range e.mons {
		if !kept[m] && m.state == firing {
			v, _ := m.value()
			dst = append(dst, m.record(event.StateResolved, m.last, v, e.offset))
		}
	}
	return dst
}

// selectorsOf returns the distinct selectors of mons' rules, in the order
// they first appear, and per monitor the index of its selector, or -1 for
// a rule over the tick totals.
func selectorsOf(mons []*Monitor) (sels []selector, sel []int) {
	sel = make([]int, len(mons))
	for i, m := range mons {
		sel[i] = -1
		if m.rule.Selected() {
			s := selector{m.rule.Section, m.rule.Source}
			sel[i] = slices.Index(sels, s)
			if sel[i] < 0 {
				sel[i] = len(sels)
				sels = append(sels, s)
			}
		}
	}
	return sels, sel
}

// regroupFuture moves the requests counted for seconds not ticked yet to
// the layout of sels, for the selectors that stay; the others' are lost
// with them.
func (e *Engine) regroupFuture(sels []selector) {
	if len(sels) == 0 {
		clear(e.future)
		return
	}
	for ts, c := range e.future {
		n := make([]perBase, len(sels))
		for i, s := range sels {
			if j := slices.Index(e.sels, s); j >= 0 {
				n[i] = c[j]
			}
		}
		e.future[ts] = n
	}
}
