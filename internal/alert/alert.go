// Package alert evaluates the high-traffic alert rule over the per-second
// ticks of httpmon-window.
//
// The rule is exact: for every event-time second t, hits(t) is the number of
// requests in the seconds [t−W+1, t], and the condition is hits(t)/W >
// threshold. The alert fires at the first second the condition holds and
// resolves at the first second it no longer does. Time is the ticks' own
// event time, never the wall clock, so replays give the same answer as the
// live run; seconds missing from the tick stream count as seconds without
// requests, which is what lets an alert resolve when traffic stops.
package alert

import (
	"errors"
	"fmt"
	"math"

	"github.com/httpmon/httpmon/internal/event"
)

// DefaultName is the name of the high-traffic rule in alert records.
const DefaultName = "high_traffic"

// Rule configures a Monitor.
type Rule struct {
	Name      string
	Window    int64   // seconds, at least 1
	Threshold float64 // requests per second, at least 0
}

// Validate reports a rule that cannot be evaluated, naming the flag.
func (r Rule) Validate() error {
	switch {
	case r.Name == "":
		return errors.New("--name must not be empty")
	case r.Window < 1:
		return errors.New("--window must be at least 1s")
	case r.Window > 7*24*3600:
		return errors.New("--window must be at most 168h")
	case math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) || r.Threshold < 0:
		return errors.New("--threshold must be a number of requests per second, 0 or more")
	}
	return nil
}

// Monitor holds the state of one rule: the hits of the last Window seconds
// and whether the alert is firing.
type Monitor struct {
	rule    Rule
	name    []byte
	ring    []int64 // hits per second, at index ts mod Window
	sum     int64   // hits in the window ending at last
	last    int64   // newest second evaluated
	started bool
	firing  bool
}

// New returns a Monitor for rule, with an empty window and not firing.
func New(rule Rule) (*Monitor, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	return &Monitor{rule: rule, name: []byte(rule.Name), ring: make([]int64, rule.Window)}, nil
}

// Firing reports whether the alert is firing now.
func (m *Monitor) Firing() bool { return m.firing }

// OutOfOrderError reports a tick for a second already evaluated. Ticks from
// httpmon-window never do this; merged or hand-made streams might.
type OutOfOrderError struct{ TS, Last int64 }

// Error implements error.
func (e *OutOfOrderError) Error() string {
	return fmt.Sprintf("tick for second %d after second %d; ticks must increase", e.TS, e.Last)
}

// Observe evaluates every second from the one after the last tick up to
// t.TS, counting seconds without a tick as zero hits, and appends the
// transitions to dst.
func (m *Monitor) Observe(t *event.Tick, dst []event.Alert) ([]event.Alert, error) {
	if m.started && t.TS <= m.last {
		return dst, &OutOfOrderError{t.TS, m.last}
	}
	if m.started {
		// Only the first Window missing seconds can change anything: after
		// that the window is empty and stays empty until t.TS.
		end := min(t.TS-1, m.last+m.rule.Window)
		for s := m.last + 1; s <= end; s++ {
			dst = m.step(s, 0, t.UTCOffset, dst)
		}
	}
	m.started = true
	return m.step(t.TS, t.Hits, t.UTCOffset, dst), nil
}

// step moves the window to second s with hits requests and evaluates it.
func (m *Monitor) step(s, hits int64, offset int32, dst []event.Alert) []event.Alert {
	i := s % m.rule.Window
	if i < 0 {
		i += m.rule.Window
	}
	m.sum += hits - m.ring[i]
	m.ring[i] = hits
	m.last = s
	// Comparing the quotient, as the rule is written, keeps "exactly
	// threshold" exact: both sides round the same way when they are equal.
	rate := float64(m.sum) / float64(m.rule.Window)
	cond := rate > m.rule.Threshold
	if cond == m.firing {
		return dst
	}
	m.firing = cond
	state := event.StateResolved
	if cond {
		state = event.StateFiring
	}
	return append(dst, event.Alert{
		Name:      m.name,
		State:     []byte(state),
		TS:        s,
		UTCOffset: offset,
		Hits:      m.sum,
		Threshold: m.rule.Threshold,
		Window:    m.rule.Window,
		Rate:      rate,
	})
}
