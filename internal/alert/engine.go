package alert

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// selector is a section and source a rule counts requests of.
type selector struct{ section, source string }

func (s *selector) matches(r *event.Request) bool {
	return (s.section == "" || s.section == string(r.Section)) &&
		(s.source == "" || s.source == string(r.Source))
}

// perBase are one second's counts of a selector, indexed by Base.
type perBase [numCountBases]int64

// maxFuture bounds the seconds of requests held for ticks that have not
// come yet. httpmon-window's ticks trail its requests by --lateness, a few
// seconds; a stream of requests without ticks must not grow memory forever.
const maxFuture = 1 << 16

// Engine evaluates many rules over one stream. Rules over all requests
// read the ticks; rules over a section or source count request records,
// which httpmon-window passes through with --pass-requests, and use the
// ticks as their clock: a request of second s counts when the tick of s
// arrives. A request for a second whose tick has gone by is one the window
// counted as late, and is left out here too, so both agree exactly.
type Engine struct {
	mons []*Monitor
	sel  []int // per monitor, index into sels, or -1 for tick totals
	sels []selector

	future  map[int64][]perBase // requests per second not ticked yet, per selector
	free    [][]perBase
	last    int64
	offset  int32 // UTC offset of the last tick, for the records of a Replace
	started bool
	// requests is set by the first request record. Until then the rules
	// over a section or source have no data at all, which is not the same
	// as no traffic: they are not evaluated, so that a stream without
	// request records cannot make "hits{section=/api} < 1" fire.
	requests bool
	stats    EngineStats
}

// EngineStats count what an Engine saw.
type EngineStats struct {
	Requests  int64 // request records counted for some rule
	Late      int64 // requests for seconds already ticked, left out
	Unclocked int64 // requests dropped because too many seconds waited for their tick
}

// NewEngine returns an Engine for rules, which must have distinct names.
func NewEngine(rules []Rule) (*Engine, error) {
	if len(rules) == 0 {
		return nil, errors.New("no rules")
	}
	e := &Engine{future: map[int64][]perBase{}}
	names := map[string]string{}
	for _, r := range rules {
		if prev, ok := names[r.Name]; ok {
			return nil, fmt.Errorf("rule name %q used twice (%s and %s)", r.Name, prev, r.Origin)
		}
		names[r.Name] = r.Origin
		m, err := newMonitor(r)
		if err != nil {
			return nil, err
		}
		e.mons = append(e.mons, m)
		idx := -1
		if r.Selected() {
			s := selector{r.Section, r.Source}
			idx = slices.Index(e.sels, s)
			if idx < 0 {
				idx = len(e.sels)
				e.sels = append(e.sels, s)
			}
		}
		e.sel = append(e.sel, idx)
	}
	return e, nil
}

// Monitors returns the engine's monitors, in rule order.
func (e *Engine) Monitors() []*Monitor { return e.mons }

// NeedsRequests reports whether some rule counts request records.
func (e *Engine) NeedsRequests() bool { return len(e.sels) > 0 }

// SawRequests reports whether a request record has come yet; until one
// does, the rules over a section or source are not evaluated.
func (e *Engine) SawRequests() bool { return e.requests }

// Stats returns the engine's counters.
func (e *Engine) Stats() EngineStats { return e.stats }

// Request counts r for the rules that select it. It is a no-op when no
// rule selects a section or source.
func (e *Engine) Request(r *event.Request) {
	if len(e.sels) == 0 {
		return
	}
	e.requests = true
	if e.started && r.TS <= e.last {
		e.stats.Late++
		return
	}
	c := e.future[r.TS]
	matched := false
	for i := range e.sels {
		if !e.sels[i].matches(r) {
			continue
		}
		matched = true
		if c == nil {
			if len(e.future) >= maxFuture {
				e.stats.Unclocked++
				return
			}
			c = e.alloc()
			e.future[r.TS] = c
		}
		c[i][BaseHits]++
		switch event.StatusClass(r.Status) {
		case event.Class4xx:
			c[i][Base4xx]++
		case event.Class5xx:
			c[i][Base5xx]++
		}
		if r.Bytes > 0 {
			c[i][BaseBytes] += r.Bytes
		}
	}
	if matched {
		e.stats.Requests++
	}
}

func (e *Engine) alloc() []perBase {
	if n := len(e.free); n > 0 {
		c := e.free[n-1]
		e.free = e.free[:n-1]
		clear(c)
		return c
	}
	return make([]perBase, len(e.sels))
}

// Tick evaluates every rule for every second up to t.TS and appends the
// transitions to dst, ordered by second and, within a second, by rule.
func (e *Engine) Tick(t *event.Tick, dst []event.Alert) ([]event.Alert, error) {
	if e.started && t.TS <= e.last {
		return dst, &OutOfOrderError{t.TS, e.last}
	}
	e.started, e.last, e.offset = true, t.TS, t.UTCOffset
	start := len(dst)
	now := e.future[t.TS]
	for i, m := range e.mons {
		c := tickCounts(t, m.rule.Metric.Base)
		if s := e.sel[i]; s >= 0 {
			if !e.requests {
				continue
			}
			c = counts{}
			if now != nil {
				c = counts{base: now[s][m.rule.Metric.Base], hits: now[s][BaseHits]}
			}
		}
		var err error
		if dst, err = m.observe(t.TS, c, t.UTCOffset, dst); err != nil {
			return dst, err
		}
	}
	for ts, c := range e.future {
		if ts <= t.TS {
			delete(e.future, ts)
			e.free = append(e.free, c)
		}
	}
	// A gap before this tick lets each rule catch up on its own; put their
	// transitions back in time order.
	out := dst[start:]
	if len(out) > 1 && !slices.IsSortedFunc(out, byTS) {
		slices.SortStableFunc(out, byTS)
	}
	return dst, nil
}

func byTS(a, b event.Alert) int {
	switch {
	case a.TS < b.TS:
		return -1
	case a.TS > b.TS:
		return 1
	}
	return 0
}

func sortLabels(ls []event.Label) {
	slices.SortFunc(ls, func(a, b event.Label) int { return bytes.Compare(a.Name, b.Name) })
}
