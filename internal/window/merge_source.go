package window

import (
	"math"
	"slices"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// mergeInput is one stream of records, a file or standard input. Until it
// has sent a record it may carry any source, so it holds the watermark.
type mergeInput struct {
	label  []byte
	opened time.Time
	heard  bool
	closed bool
	idle   bool
}

// Source states.
const (
	sourceLive = iota
	sourceIdle
	sourceDone
)

// dedupSeconds is the horizon, in seconds behind a source's newest tick,
// within which each second is remembered as seen or not: a tick older
// than that is taken as a redelivery.
const dedupSeconds = 4096

type mergeSource struct {
	name    []byte
	state   int
	heard   time.Time
	started bool
	hi      int64 // newest tick
	seen    [dedupSeconds / 64]uint64
	sumHi   int64 // start of the newest summary
	input   int
	stats   SourceStats
	totals  []event.Total
}

// Input registers an input and returns its number for the other methods.
// Records without a source member are that input's, labelled label. Until
// the input sends a record, ends or times out, no second is final: it may
// hold any source.
func (m *Merger) Input(label []byte, now time.Time) int {
	m.inputs = append(m.inputs, mergeInput{label: label, opened: now})
	return len(m.inputs) - 1
}

// Expect names a source to wait for before any second is final, as if it
// had been heard at now: on an input that carries many sources, nothing
// else says that one is yet to come.
func (m *Merger) Expect(name []byte, now time.Time) {
	src := m.source(-1, name, now)
	src.heard = now
}

// Stats returns the per-source counts, in the order the sources were
// first seen. The slices alias the Merger's.
func (m *Merger) Stats() []SourceStats {
	out := make([]SourceStats, len(m.sources))
	for i, s := range m.sources {
		out[i] = s.stats
	}
	return out
}

// source finds or makes the source name of input in and marks it heard.
func (m *Merger) source(in int, name []byte, now time.Time) *mergeSource {
	if len(name) == 0 && in >= 0 {
		name = m.inputs[in].label
	}
	i, ok := m.byName[string(name)]
	if !ok {
		i = len(m.sources)
		own := slices.Clone(name)
		if own == nil {
			own = []byte{}
		}
		m.sources = append(m.sources, &mergeSource{name: own, sumHi: math.MinInt64, input: in})
		m.sources[i].stats.Name = own
		m.byName[string(own)] = i
	}
	src := m.sources[i]
	if in >= 0 {
		if !m.inputs[in].heard || m.inputs[in].idle || src.input != in {
			m.cached = false
		}
		m.inputs[in].heard = true
		m.inputs[in].idle = false
		src.input = in
	}
	src.heard = now
	if src.state != sourceLive {
		m.cached = false
		if src.state == sourceIdle {
			m.sink.Tell(src.name, "sends again after being idle; back in the merge")
		}
		src.state = sourceLive
	}
	return src
}

// mark records second ts, at most the newest, as seen.
func (s *mergeSource) mark(ts int64) {
	i := uint64(ts) % dedupSeconds
	s.seen[i/64] |= 1 << (i % 64)
}

// firstSeen reports whether ts is new for s, and records it.
func (s *mergeSource) firstSeen(ts int64) bool {
	switch {
	case ts > s.hi:
		// Forget the seconds the ring moves past.
		if ts-s.hi >= dedupSeconds {
			clear(s.seen[:])
		} else {
			for t := s.hi + 1; t <= ts; t++ {
				i := uint64(t) % dedupSeconds
				s.seen[i/64] &^= 1 << (i % 64)
			}
		}
		s.hi = ts
	case s.hi-ts >= dedupSeconds:
		return false
	default:
		i := uint64(ts) % dedupSeconds
		if s.seen[i/64]&(1<<(i%64)) != 0 {
			return false
		}
	}
	s.mark(ts)
	return true
}
