package window

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// MergeConfig holds the parameters of a Merger.
type MergeConfig struct {
	// Interval is the sources' summary interval, which the merged
	// summaries share: every source must run with the same --interval.
	Interval int64
	// Top is how many sections a merged summary lists.
	Top int
	// TotalTop is how many entries each list of the merged total has, and
	// the length at which a source's list is taken to be cut short.
	TotalTop int
	// SourceTimeout is how long a source may be silent, on the wall clock
	// of the merger, before it is idle: left out of the watermark until
	// it sends again.
	SourceTimeout time.Duration
	// MaxGap bounds the silence filled with empty merged ticks, as
	// Config.MaxGap does for one source.
	MaxGap int64
	// MaxLag bounds the merged seconds held pending: past that many, the
	// seconds more than MaxLag behind the newest source are made final
	// without the sources that lag, whose records for them then count as
	// late. Callers that can pause an input keep the sources within it
	// (see Merger.Ahead), and then it never comes to that.
	MaxLag int64
	// Resume, when Resuming, is the first merged second not yet out: a
	// merge restarted after its output up to Resume was stored. Records
	// of earlier seconds, which the sources' transport redelivers, are
	// duplicates of what is stored and left out; the merged stream starts
	// at Resume.
	Resume   int64
	Resuming bool
}

// DefaultMergeConfig returns the configuration of httpmon-window --merge
// without flags.
func DefaultMergeConfig() MergeConfig {
	return MergeConfig{Interval: 10, Top: 10, TotalTop: DefaultTotalTop, SourceTimeout: 30 * time.Second, MaxGap: 86400, MaxLag: 3600}
}

// Validate reports the first invalid field, in the command's flag names.
func (c MergeConfig) Validate() error {
	switch {
	case c.Interval < 1 || c.Interval > event.MaxInterval:
		return fmt.Errorf("--interval must be from 1s to 168h, got %ds", c.Interval)
	case c.Top < 1:
		return fmt.Errorf("--top must be at least 1, got %d", c.Top)
	case c.TotalTop < 0:
		return fmt.Errorf("--total-top must not be negative, got %d", c.TotalTop)
	case c.SourceTimeout <= 0:
		return fmt.Errorf("--source-timeout must be positive, got %s", c.SourceTimeout)
	case c.MaxGap < 0:
		return fmt.Errorf("--max-gap must not be negative, got %ds", c.MaxGap)
	case c.MaxLag < 2:
		return fmt.Errorf("--max-lag must be at least 2s, got %ds", c.MaxLag)
	}
	return nil
}

// MergeSink receives a Merger's output: merged ticks and summaries in the
// order of a Sink, the merged total at the end, and what it has to say
// about its sources.
type MergeSink interface {
	Sink
	Total(t *event.Total) error
	// Tell says something about a source: it went idle, came back, or
	// sent records for seconds already final.
	Tell(source []byte, msg string)
}

// SourceStats counts what a Merger did with one source's records.
type SourceStats struct {
	Name      []byte
	Ticks     int64 // ticks merged in their own second
	Summaries int64 // summaries merged into their interval
	// Duplicates are records seen before (at-least-once delivery, a
	// source replaying), left out.
	Duplicates int64
	// Late is the hits of ticks whose merged second was already final,
	// counted in the late figure of the merged summary that was open.
	Late int64
	// LateSummaries are summaries whose merged interval was already out:
	// their sections are in no merged summary.
	LateSummaries int64
	Idle          int64 // times the source went idle
}

// Merger merges the ticks, summaries and totals of many sources, the
// outputs of one httpmon-window per host, into the records one window
// reading every host's requests would give.
//
// Each source's ticks are its watermark: a merged second is final once
// every live source has sent its tick, so the merged output does not
// depend on how the sources' records interleave. A source silent for
// SourceTimeout is idle and held back nothing until it sends again; its
// records for seconds already final are late, counted and reported, never
// dropped in silence. Records seen twice are recognised per (source,
// second) and left out, so at-least-once delivery never counts twice.
//
// Time comes from the callers: every method takes the wall-clock now, so
// tests run on a clock of their own. A Merger is not safe for concurrent
// use.
type Merger struct {
	cfg  MergeConfig
	sink MergeSink
	err  error
	dup  bool // the last record was a duplicate

	sources []*mergeSource
	byName  map[string]int
	inputs  []mergeInput

	started bool
	next    int64 // oldest merged second not yet final
	lo      int64 // oldest second pending before the start
	align   int64
	aligned bool
	offset  int32

	pending map[int64]*mergedSecond
	free    []*mergedSecond
	// open are the merged intervals not yet out, by k.
	open  []*mergedInterval
	spare []*mergedInterval
	doneK int64 // newest interval out

	tick   event.Tick
	sum    event.Summary
	ranked []*mergedSection

	run     runTotals
	lagTold bool

	// The watermark and the newest tick are kept between records, since
	// finding them looks at every source: valid until a source changes
	// state; atMin counts the live sources at the watermark, which moves
	// only once the last of them has passed it.
	cached bool
	wm     int64
	wmOK   bool
	atMin  int
	top    int64
	topAny bool
}

// mergedSecond is the sum of the sources' ticks of one pending second.
type mergedSecond struct {
	hits, bytes int64
	status      event.StatusCounts
	offset      int32
	lat         latency.Sketch
}

// NewMerger returns a Merger writing to sink.
func NewMerger(cfg MergeConfig, sink MergeSink) (*Merger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, errors.New("window: nil MergeSink")
	}
	return &Merger{cfg: cfg, sink: sink, byName: map[string]int{}, pending: map[int64]*mergedSecond{}, doneK: math.MinInt64}, nil
}

// Duplicate reports whether the record of the last call of Tick, Summary
// or Total was one seen before and left out: a caller that passes the
// sources' own records on (a store keyed by source) leaves it out too.
func (m *Merger) Duplicate() bool { return m.dup }

// Tick merges a source's tick, read from input in.
func (m *Merger) Tick(in int, t *event.Tick, now time.Time) error {
	if m.err != nil {
		return m.err
	}
	src := m.source(in, t.Source, now)
	ts := t.TS
	m.dup = false
	if m.cfg.Resuming && ts < m.cfg.Resume {
		src.stats.Duplicates++
		m.dup = true
		return nil
	}
	old := src.hi
	if !src.started {
		src.started, src.hi = true, ts
		src.mark(ts)
		m.cached = false
	} else if !src.firstSeen(ts) {
		src.stats.Duplicates++
		m.dup = true
		return nil
	}
	if m.cached && src.hi > old {
		m.top = max(m.top, src.hi)
		if m.wmOK && old == m.wm {
			if m.atMin--; m.atMin == 0 {
				m.cached = false
			}
		}
	}
	if !m.aligned && m.cfg.Interval >= AlignLocal {
		m.align, m.aligned = int64(t.UTCOffset), true
	}
	switch {
	case !m.started:
		m.lo = min(m.lo, ts)
		if len(m.pending) == 0 {
			m.lo = ts
		}
	case ts < m.next:
		src.stats.Late += t.Hits
		m.run.late += t.Hits
		if t.Hits > 0 {
			m.late(src, t.Hits)
			m.sink.Tell(src.name, fmt.Sprintf("tick of %s with %d requests came after its second was final; counted as late", rfc3339(ts), t.Hits))
		}
		return m.settle()
	}
	src.stats.Ticks++
	p := m.pending[ts]
	if p == nil {
		p = m.second()
		m.pending[ts] = p
	}
	p.hits += t.Hits
	p.bytes, _ = event.AddCount(p.bytes, t.Bytes)
	p.status.Add(&t.Status)
	if t.Hits > 0 {
		// Of sources in several zones, the easternmost, whatever order
		// their ticks come in.
		if p.hits == t.Hits {
			p.offset = t.UTCOffset
		} else {
			p.offset = max(p.offset, t.UTCOffset)
		}
	}
	p.lat.AddLatency(&t.Latency)
	return m.settle()
}

func (m *Merger) second() *mergedSecond {
	if n := len(m.free); n > 0 {
		p := m.free[n-1]
		m.free = m.free[:n-1]
		return p
	}
	return &mergedSecond{}
}

// late counts n late requests of src in the interval that is open.
func (m *Merger) late(src *mergeSource, n int64) {
	iv := m.interval(m.intervalOf(m.next))
	iv.addLate(src.name, n)
}

// Check marks the sources and inputs silent for SourceTimeout as idle,
// which may make seconds final. Call it now and then while input is quiet.
func (m *Merger) Check(now time.Time) error {
	if m.err != nil {
		return m.err
	}
	for i := range m.inputs {
		in := &m.inputs[i]
		if !in.heard && !in.closed && !in.idle && now.Sub(in.opened) >= m.cfg.SourceTimeout {
			in.idle = true
			m.cached = false
			m.sink.Tell(nil, fmt.Sprintf("%s: no tick, summary or total for %s; merging without this input until it sends one", in.label, m.cfg.SourceTimeout))
		}
	}
	for _, src := range m.sources {
		if src.state == sourceLive && now.Sub(src.heard) >= m.cfg.SourceTimeout {
			src.state = sourceIdle
			m.cached = false
			src.stats.Idle++
			m.sink.Tell(src.name, fmt.Sprintf("silent for %s; idle, left out of the merge until it sends again (its records for seconds final by then count as late)", m.cfg.SourceTimeout))
		}
	}
	return m.settle()
}

// Close says that input in has ended: the sources last heard on it are
// done and hold nothing back.
func (m *Merger) Close(in int) error {
	if m.err != nil {
		return m.err
	}
	m.inputs[in].closed = true
	m.cached = false
	for _, src := range m.sources {
		if src.input == in {
			src.state = sourceDone
		}
	}
	return m.settle()
}

// Ahead reports whether the source last read from input in is so far
// ahead of the merged seconds not yet final that its input should pause:
// half of MaxLag, so that sources lagging honestly (a replay that started
// later, a slower disk) are waited for rather than made late.
func (m *Merger) Ahead(in int) bool {
	base := m.next
	if !m.started {
		if len(m.pending) == 0 {
			return false
		}
		base = m.lo
	}
	for _, src := range m.sources {
		if src.input == in && src.started && src.state == sourceLive && src.hi-base > m.cfg.MaxLag/2 {
			return true
		}
	}
	return false
}

// watermark returns the newest second that every live source has passed,
// and false while an input or an expected source has not been heard.
func (m *Merger) watermark() (int64, bool) {
	m.recount()
	return m.wm, m.wmOK
}

// recount finds the watermark and the newest tick again, if a change of
// the sources may have moved them.
func (m *Merger) recount() {
	if m.cached {
		return
	}
	m.cached = true
	m.wm, m.wmOK = m.scanWatermark()
	m.atMin = 0
	for _, src := range m.sources {
		if src.state == sourceLive && src.started && src.hi == m.wm {
			m.atMin++
		}
	}
	m.top, m.topAny = int64(math.MinInt64), false
	for _, src := range m.sources {
		if src.started && src.state != sourceDone {
			m.top, m.topAny = max(m.top, src.hi), true
		}
	}
}

func (m *Merger) scanWatermark() (int64, bool) {
	for i := range m.inputs {
		if in := &m.inputs[i]; !in.heard && !in.closed && !in.idle {
			return 0, false
		}
	}
	w, any := int64(math.MaxInt64), false
	newest, started := int64(math.MinInt64), false
	for _, src := range m.sources {
		if src.started {
			newest, started = max(newest, src.hi), true
		}
		if src.state != sourceLive {
			continue
		}
		if !src.started {
			return 0, false
		}
		w, any = min(w, src.hi), true
	}
	if !any {
		// Every source is idle or done: none is left to wait for.
		return newest, started
	}
	return w, true
}

// settle emits what the watermark makes final.
func (m *Merger) settle() error {
	w, ok := m.watermark()
	if newest, any := m.newest(); any && m.started && int64(len(m.pending)) > m.cfg.MaxLag && (!ok || w < newest-m.cfg.MaxLag) {
		// Holding more seconds than that for a source that lags would
		// take memory without bound. Only seconds held count: a source
		// far ahead whose input the caller paused holds few.
		w, ok = newest-m.cfg.MaxLag, true
		if !m.lagTold {
			m.lagTold = true
			m.sink.Tell(nil, fmt.Sprintf("a source lags more than %ds behind the newest; seconds made final without it, and its records for them count as late", m.cfg.MaxLag))
		}
	} else if ok {
		m.lagTold = false
	}
	if !ok {
		return nil
	}
	return m.emitThrough(w)
}

// newest returns the newest tick of any source not done.
func (m *Merger) newest() (int64, bool) {
	m.recount()
	return m.top, m.topAny
}

// emitThrough emits the merged seconds through w and the intervals that
// are then complete.
func (m *Merger) emitThrough(w int64) error {
	if !m.started {
		if len(m.pending) == 0 {
			return nil
		}
		m.started, m.next = true, m.lo
		if m.cfg.Resuming {
			m.next = m.cfg.Resume
		}
	}
	for m.next <= w {
		if m.pending[m.next] == nil && m.cfg.MaxGap > 0 {
			if p, ok := m.oldestPending(); (!ok && w-m.next > m.cfg.MaxGap) || (ok && p-m.next > m.cfg.MaxGap) {
				// A hole longer than MaxGap restarts the merged stream.
				if err := m.closeAll(); err != nil {
					return err
				}
				if !ok {
					m.next = w + 1
					break
				}
				m.next = p
			}
		}
		if err := m.emitNext(); err != nil {
			return err
		}
		if err := m.closeReady(); err != nil {
			return err
		}
	}
	return m.closeReady()
}

func (m *Merger) oldestPending() (int64, bool) {
	p, ok := int64(math.MaxInt64), false
	for s := range m.pending {
		if s >= m.next && s < p {
			p, ok = s, true
		}
	}
	return p, ok
}

// emitNext emits the merged tick of second next.
func (m *Merger) emitNext() error {
	s := m.next
	iv := m.interval(m.intervalOf(s))
	p := m.pending[s]
	empty := mergedSecond{}
	if p == nil {
		p = &empty
	} else {
		delete(m.pending, s)
	}
	if p.hits > 0 {
		m.offset = p.offset
	}
	m.tick = event.Tick{TS: s, UTCOffset: m.offset, Hits: p.hits, Bytes: p.bytes, Status: p.status,
		Latency: event.Latency{Bins: m.tick.Latency.Bins[:0]}}
	if p.lat.Count() > 0 {
		p.lat.Sketch(&m.tick.Latency)
	}
	iv.seconds++
	iv.hits += p.hits
	iv.bytes, _ = event.AddCount(iv.bytes, p.bytes)
	iv.status.Add(&p.status)
	iv.lat.Merge(&p.lat)
	m.run.tick(s, p)
	if p != &empty {
		*p = mergedSecond{lat: p.lat}
		p.lat.Reset()
		m.free = append(m.free, p)
	}
	m.next = s + 1
	if err := m.sink.Tick(&m.tick); err != nil {
		m.err = err
		return err
	}
	return nil
}

// Flush emits everything pending, as at the end of every input: the
// seconds through the newest any source sent, every open interval, and
// the merged total.
func (m *Merger) Flush() error {
	if m.err != nil {
		return m.err
	}
	n, any := int64(math.MinInt64), false
	for _, src := range m.sources {
		if src.started {
			n, any = max(n, src.hi), true
		}
	}
	if any {
		if err := m.emitThrough(n); err != nil {
			return err
		}
	}
	if err := m.closeBefore(math.MaxInt64); err != nil {
		return err
	}
	return m.emitTotal()
}

// intervalOf returns k such that second s is in merged interval k.
func (m *Merger) intervalOf(s int64) int64 {
	s += m.align
	k := s / m.cfg.Interval
	if s%m.cfg.Interval < 0 {
		k--
	}
	return k
}

func (m *Merger) intervalStart(k int64) int64 { return k*m.cfg.Interval - m.align }

// rfc3339 shows a unix time in messages.
func rfc3339(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.RFC3339) }
