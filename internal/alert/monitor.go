package alert

import (
	"fmt"

	"github.com/httpmon/httpmon/internal/event"
)

// state of an alert between ticks.
type state uint8

const (
	inactive state = iota
	pending
	firing
)

// counts are one second's requests of a rule: the metric's base count and
// the requests, which ratios divide by and every record reports, and for
// latency rules the second's request times, which the Monitor copies.
type counts struct {
	base, hits int64
	lat        *event.Latency
}

// Monitor is one rule of an Engine with its state: the counts of the last
// Window seconds and the alert's. Engine.Monitors hands them out for their
// rules and labels; the Engine alone moves them on.
type Monitor struct {
	rule   Rule
	name   []byte
	metric []byte
	op     []byte
	labels []event.Label
	ring   []counts // per second, at index ts mod Window; lat unset
	// lat holds the request times of the window, for latency rules.
	lat     *latencyWindow
	sum     counts // over the window ending at last
	last    int64  // newest second evaluated
	from    int64  // first second evaluated: the window holds no data before it
	started bool
	// lowerBound is set for "<" and "<=" rules over a count or rate,
	// which cannot hold while the window reaches before from.
	lowerBound bool

	state    state
	activeAt int64 // first second of the condition's current run
	firedAt  int64
	// keepingFiring is set while the alert is firing with its condition
	// false, for keep_firing_for seconds from keepFiringSince, the first
	// such second (Prometheus's KeepFiringSince).
	keepingFiring   bool
	keepFiringSince int64
}

// newMonitor returns a Monitor for rule, with an empty window and
// inactive.
func newMonitor(rule Rule) (*Monitor, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	m := &Monitor{
		rule:   rule,
		name:   []byte(rule.Name),
		metric: []byte(rule.Metric.String()),
		op:     []byte(rule.Op.String()),
		ring:   make([]counts, rule.Window),
	}
	// A percentile over part of the window is an estimate, not a bound.
	m.lowerBound = rule.Metric.Form != FormRatio && rule.Metric.Form != FormLatency && (rule.Op == OpLT || rule.Op == OpLE)
	if rule.Metric.Form == FormLatency {
		m.lat = newLatencyWindow(rule.Window)
	}
	// Labels, sorted by name: the selectors, then the rule's own, which
	// Validate keeps from clashing with them.
	m.labels = make([]event.Label, 0, len(rule.Labels)+2)
	if rule.Section != "" {
		m.labels = append(m.labels, event.Label{Name: []byte("section"), Value: []byte(rule.Section)})
	}
	if rule.Source != "" {
		m.labels = append(m.labels, event.Label{Name: []byte("source"), Value: []byte(rule.Source)})
	}
	for _, l := range rule.Labels {
		m.labels = append(m.labels, event.Label{Name: []byte(l.Name), Value: []byte(l.Value)})
	}
	sortLabels(m.labels)
	return m, nil
}

// Rule returns the monitor's rule.
func (m *Monitor) Rule() *Rule { return &m.rule }

// Labels returns the labels of the monitor's alerts, sorted by name: the
// section and source it selects, then the rule's own.
func (m *Monitor) Labels() []event.Label { return m.labels }

// OutOfOrderError reports a tick for a second already evaluated. Ticks from
// httpmon-window never do this; merged or hand-made streams might.
type OutOfOrderError struct{ TS, Last int64 }

// Error implements error.
func (e *OutOfOrderError) Error() string {
	return fmt.Sprintf("tick for second %d after second %d; ticks must increase", e.TS, e.Last)
}

// tickCounts picks a metric's counts out of a tick.
func tickCounts(t *event.Tick, b Base) counts {
	c := counts{hits: t.Hits, lat: &t.Latency}
	switch b {
	case BaseHits:
		c.base = t.Hits
	case Base4xx:
		c.base = t.Status[event.Class4xx]
	case Base5xx:
		c.base = t.Status[event.Class5xx]
	case BaseBytes:
		c.base = t.Bytes
	}
	return c
}

// observe evaluates every second from the one after the last up to ts,
// with counts c at ts and none in the seconds before it, and appends the
// transitions to dst.
func (m *Monitor) observe(ts int64, c counts, offset int32, dst []event.Alert) ([]event.Alert, error) {
	if m.started && ts <= m.last {
		return dst, &OutOfOrderError{ts, m.last}
	}
	if !m.started {
		m.started, m.from = true, ts
	} else {
		// Past the window the sums are zero and the condition constant;
		// past for and keep_firing_for after that, the state is too, and
		// nothing can change until ts.
		r := &m.rule
		end := min(ts-1, m.last+r.Window+r.For+r.KeepFiringFor+1)
		for s := m.last + 1; s <= end; s++ {
			dst = m.step(s, counts{}, offset, dst)
		}
	}
	return m.step(ts, c, offset, dst), nil
}

// value is the metric over the window, and whether the rule's condition
// holds for it.
func (m *Monitor) value() (float64, bool) {
	r := &m.rule
	var v float64
	switch r.Metric.Form {
	case FormCount:
		v = float64(m.sum.base)
	case FormRate:
		// Comparing the quotient, as the rule is written, keeps "exactly
		// threshold" exact: both sides round the same way when equal.
		v = float64(m.sum.base) / float64(r.Window)
	case FormLatency:
		var ok bool
		if v, ok = m.lat.value(r.Metric.Base); !ok {
			return v, false // no request times: neither slow nor fast
		}
	case FormRatio:
		if m.sum.hits > 0 {
			v = float64(m.sum.base) / float64(m.sum.hits)
		}
		if m.sum.hits < r.MinRequests || m.sum.hits == 0 {
			// Too few requests to say anything, in either direction.
			return v, false
		}
	}
	if m.lowerBound && m.last-m.from+1 < r.Window {
		// The seconds of the window before the data began are not
		// seconds without requests: a count over part of the window is
		// only a lower bound, which can show that "more than" holds but
		// never that "less than" does. Without this, every "traffic
		// dropped" rule would fire at the start of every stream.
		return v, false
	}
	return v, r.Op.holds(v, r.Threshold)
}

// step moves the window to second s with counts c and runs the state
// machine once.
func (m *Monitor) step(s int64, c counts, offset int32, dst []event.Alert) []event.Alert {
	w := m.rule.Window
	i := s % w
	if i < 0 {
		i += w
	}
	m.sum.base += c.base - m.ring[i].base
	m.sum.hits += c.hits - m.ring[i].hits
	m.ring[i] = counts{base: c.base, hits: c.hits}
	if m.lat != nil {
		m.lat.step(s, i, c.lat)
	}
	m.last = s
	v, cond := m.value()
	r := &m.rule
	switch m.state {
	case inactive:
		if !cond {
			return dst
		}
		m.state, m.activeAt = pending, s
	case pending:
		if !cond {
			m.state = inactive
			return dst
		}
	case firing:
		if cond {
			m.keepingFiring = false
			return dst
		}
		if !m.keepingFiring {
			m.keepingFiring, m.keepFiringSince = true, s
		}
		if s-m.keepFiringSince < r.KeepFiringFor {
			return dst
		}
		m.state, m.keepingFiring = inactive, false
		return append(dst, m.record(event.StateResolved, s, v, offset))
	}
	if s-m.activeAt < r.For {
		return dst
	}
	m.state, m.firedAt = firing, s
	return append(dst, m.record(event.StateFiring, s, v, offset))
}

// record builds the alert record of a transition at second s.
func (m *Monitor) record(state string, s int64, v float64, offset int32) event.Alert {
	r := &m.rule
	a := event.Alert{
		Name:      m.name,
		State:     []byte(state),
		TS:        s,
		UTCOffset: offset,
		Hits:      m.sum.hits,
		Threshold: r.Threshold,
		Window:    r.Window,
		Rate:      float64(m.sum.hits) / float64(r.Window),
	}
	a.Metric, a.Op, a.Value = m.metric, m.op, v
	a.Labels = m.labels
	a.For, a.KeepFiringFor = r.For, r.KeepFiringFor
	a.StartsAt = m.firedAt
	if state == event.StateResolved {
		a.EndsAt = s
	}
	return a
}
