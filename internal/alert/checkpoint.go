package alert

import (
	"fmt"

	"github.com/httpmon/httpmon/internal/event"
)

// States appends to dst the state of every rule that has evaluated a
// second, for a checkpoint: what Restore needs to go on after a restart
// as if there had been none. Byte slices alias the monitors' own and are
// valid until the next tick.
func (e *Engine) States(dst []event.RuleState) []event.RuleState {
	for _, m := range e.mons {
		if m.started {
			dst = append(dst, m.checkpointState())
		}
	}
	return dst
}

// checkpointState is the monitor's state: the alert's, and the counts of
// the seconds of its window that hold data.
func (m *Monitor) checkpointState() event.RuleState {
	rs := event.RuleState{
		Name: m.name, Expr: []byte(m.rule.Expr()),
		ActiveAt: m.activeAt, FiredAt: m.firedAt,
		KeepingFiring: m.keepingFiring, KeepFiringSince: m.keepFiringSince,
		From: m.from, Last: m.last,
	}
	switch m.state {
	case inactive:
		rs.State = []byte(event.RuleInactive)
	case pending:
		rs.State = []byte(event.RulePending)
	case firing:
		rs.State = []byte(event.RuleFiring)
	}
	w := m.rule.Window
	n := min(w, m.last-m.from+1)
	rs.Base, rs.Hits = make([]int64, 0, n), make([]int64, 0, n)
	if m.lat != nil {
		rs.Latency = make([]event.Latency, 0, n)
	}
	for s := m.last - n + 1; s <= m.last; s++ {
		i := ringIndex(s, w)
		rs.Base = append(rs.Base, m.ring[i].base)
		rs.Hits = append(rs.Hits, m.ring[i].hits)
		if m.lat != nil {
			rs.Latency = append(rs.Latency, m.lat.ring[i])
		}
	}
	return rs
}

func ringIndex(s, w int64) int64 {
	i := s % w
	if i < 0 {
		i += w
	}
	return i
}

// Restore gives the rules of a fresh engine the states a checkpoint saved,
// as Prometheus restores the "for" state of its alerts: a rule with the
// same name and expression continues from its saved window and alert, so
// that an alert firing before the restart goes on firing without being
// announced again, and resolves when it would have. Rules with no saved
// state, or whose expression changed, start afresh. It returns the names
// of the rules restored, and an error, changing nothing, if the engine has
// evaluated a tick already or a state does not fit its rule.
func (e *Engine) Restore(saved []event.RuleState) ([]string, error) {
	if e.started {
		return nil, fmt.Errorf("restoring rule states after a tick")
	}
	type match struct {
		m  *Monitor
		rs *event.RuleState
	}
	var ms []match
	for _, m := range e.mons {
		expr := m.rule.Expr()
		for i := range saved {
			rs := &saved[i]
			if string(rs.Name) != m.rule.Name || string(rs.Expr) != expr {
				continue
			}
			if err := m.fits(rs); err != nil {
				return nil, fmt.Errorf("rule %s: %w", m.rule.Name, err)
			}
			ms = append(ms, match{m, rs})
			break
		}
	}
	var names []string
	for _, x := range ms {
		x.m.restore(x.rs)
		names = append(names, x.m.rule.Name)
		if !e.started || x.rs.Last > e.last {
			e.started, e.last = true, x.rs.Last
		}
		if x.m.rule.Selected() {
			// It had request records before the restart.
			e.requests = true
		}
	}
	return names, nil
}

// fits checks that a saved state can be the monitor's.
func (m *Monitor) fits(rs *event.RuleState) error {
	n := int64(len(rs.Base))
	switch {
	case n > m.rule.Window || n > rs.Last-rs.From+1:
		return fmt.Errorf("%d seconds of counts, more than its window of %d since %d", n, m.rule.Window, rs.From)
	case (m.lat != nil) != (rs.Latency != nil):
		return fmt.Errorf("request times saved for a rule that does not read them, or the other way round")
	}
	return nil
}

// restore sets the monitor's state to rs, which fits it.
func (m *Monitor) restore(rs *event.RuleState) {
	m.started, m.from, m.last = true, rs.From, rs.Last
	switch string(rs.State) {
	case event.RulePending:
		m.state = pending
	case event.RuleFiring:
		m.state = firing
	default:
		m.state = inactive
	}
	m.activeAt, m.firedAt = rs.ActiveAt, rs.FiredAt
	m.keepingFiring, m.keepFiringSince = rs.KeepingFiring, rs.KeepFiringSince
	w := m.rule.Window
	first := rs.Last - int64(len(rs.Base)) + 1
	for j := range rs.Base {
		s := first + int64(j)
		i := ringIndex(s, w)
		m.ring[i] = counts{base: rs.Base[j], hits: rs.Hits[j]}
		m.sum.base += rs.Base[j]
		m.sum.hits += rs.Hits[j]
		if m.lat != nil {
			m.lat.step(s, i, &rs.Latency[j])
		}
	}
}

// Firing appends to dst the firing record of every rule that is firing,
// as it was at its firing second: after a restore, what a sink that keeps
// firing alerts alive (Alertmanager) must be told again.
func (e *Engine) Firing(dst []event.Alert) []event.Alert {
	for _, m := range e.mons {
		if m.state == firing {
			v, _ := m.value()
			dst = append(dst, m.record(event.StateFiring, m.firedAt, v, e.offset))
		}
	}
	return dst
}
