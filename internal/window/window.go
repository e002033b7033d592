// Package window aggregates requests on event time: one tick per second and
// one summary per fixed interval, the way httpmon-window emits them.
//
// Time is what the requests say, never the clock, so replaying a log gives
// the same output as watching it live and tests are deterministic. Because
// logs are only roughly ordered (several workers write one file, several
// files are merged), a second is held back until the newest request is more
// than Config.Lateness seconds past it; records that arrive later than that
// are counted as late instead of rewriting output that is already out.
//
// The package does no I/O and reads no flags: the caller decodes requests,
// passes them to an Aggregator and encodes what it hands to its Sink.
package window

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// Config holds the aggregation parameters. All durations are whole seconds
// because event time in the logs has one-second resolution.
type Config struct {
	// Interval is the summary length. Summaries are aligned to multiples of
	// Interval since the epoch so that runs over different slices of a log
	// agree on where intervals start, and the summaries of hosts in other
	// zones line up; intervals of AlignLocal or more are aligned in the
	// log's own zone instead (see Aggregator), so that days start at the
	// log's midnight.
	Interval int64
	// Lateness is how far behind the newest request a record may be and still
	// count in its own second. Output lags input by this much.
	Lateness int64
	// ReplayLateness is Lateness while the Aggregator is told that its input
	// is a replay (SetReplay): records then arrive far faster than event
	// time passes, so holding seconds open longer costs memory but no
	// waiting, and a log written out of order by the length of its longest
	// request still counts every line in its own second. Values below
	// Lateness mean Lateness.
	ReplayLateness int64
	// Top is how many sections a summary lists; the rest are only counted in
	// SectionsTotal, which keeps summaries small on sites with many sections.
	Top int
	// MaxGap bounds the silence the Aggregator fills with empty ticks. A
	// request further than this beyond the newest one ends the stream (as
	// Flush does) and starts a new one at its time, so a bogus timestamp or a
	// log with a month-long hole cannot make it emit millions of ticks. Zero
	// means no limit. Ticks never go back in time, so requests older than a
	// bogus future timestamp are late until the log catches up with it. A
	// MaxGap below Interval+Lateness can split an interval into two
	// summaries.
	MaxGap int64
	// MaxSections is how many distinct sections an interval counts exactly;
	// past it, section counts are approximate (see Summary.SectionsApprox)
	// and memory stays bounded whatever the input. Zero means
	// DefaultMaxSections.
	MaxSections int
	// TotalTop is how many entries each top list of the total of the run
	// has (see Aggregator.Total); zero means that no total is kept, which
	// costs nothing per request.
	TotalTop int
	// MaxTotalKeys is how many distinct keys each top list of the total
	// counts exactly; past it, that list is approximate. Zero means
	// DefaultMaxKeys.
	MaxTotalKeys int
	// Source, when set, labels every tick and summary, and makes the
	// summaries carry their latency sketches (the bins, besides the
	// percentiles), of the interval and of each listed section, so that a
	// merge of many sources (Merger) adds them exactly.
	Source []byte
}

// DefaultConfig returns the configuration httpmon-window uses when no flags
// are given.
func DefaultConfig() Config {
	return Config{Interval: 10, Lateness: 5, ReplayLateness: 300, Top: 10, MaxGap: 86400, TotalTop: DefaultTotalTop}
}

// Validate reports the first invalid field. Messages use the command's flag
// names because they end up in front of the user of httpmon-window.
func (c Config) Validate() error {
	switch {
	case c.Interval < 1:
		return fmt.Errorf("--interval must be at least 1s, got %ds", c.Interval)
	case c.Interval > event.MaxInterval:
		// The protocol bounds a summary's end, and so its length.
		return fmt.Errorf("--interval must be at most 168h, got %ds", c.Interval)
	case c.Lateness < 0:
		return fmt.Errorf("--lateness must not be negative, got %ds", c.Lateness)
	case c.ReplayLateness < 0:
		return fmt.Errorf("--replay-lateness must not be negative, got %ds", c.ReplayLateness)
	case c.ReplayLateness > maxReplayLateness:
		return fmt.Errorf("--replay-lateness must be at most 1h, got %ds", c.ReplayLateness)
	case c.Top < 1:
		return fmt.Errorf("--top must be at least 1, got %d", c.Top)
	case c.MaxGap < 0:
		return fmt.Errorf("--max-gap must not be negative (0 means no limit), got %ds", c.MaxGap)
	case c.MaxSections < 0:
		return fmt.Errorf("the section limit must not be negative, got %d", c.MaxSections)
	case c.TotalTop < 0:
		return fmt.Errorf("--total-top must not be negative (0 means no total), got %d", c.TotalTop)
	case c.MaxTotalKeys < 0:
		return fmt.Errorf("the limit of keys in a total's list must not be negative, got %d", c.MaxTotalKeys)
	}
	return nil
}

// Sink receives the Aggregator's output in order: ticks in ascending second,
// each summary right after the last tick of its interval.
//
// The Tick, the Summary and everything they point to (Summary.Sections and
// the byte slices in it) are reused once the call returns, so that the
// Aggregator allocates nothing per record; a Sink must copy what it keeps.
// An error from a Sink stops the Aggregator: every later call returns it.
type Sink interface {
	Tick(t *event.Tick) error
	Summary(s *event.Summary) error
}

// Stats counts what an Aggregator has done, for the end-of-run line on
// stderr.
type Stats struct {
	Requests  int64 // requests passed to Add, late ones included
	Late      int64 // requests that were too old for their own second
	Ticks     int64 // ticks emitted
	Summaries int64 // summaries emitted
	Gaps      int64 // times the stream restarted because of MaxGap
	// Saturated counts byte totals of a second, an interval or a section
	// that reached event.MaxCount and stopped there: records must stay in
	// the protocol's range, and such a total is a lower bound.
	Saturated int64
}

// Aggregator turns requests into ticks and summaries. It is not safe for
// concurrent use; a pipeline stage has one reader anyway.
type Aggregator struct {
	cfg  Config
	sink Sink
	err  error // first Sink error; output would have holes after it
	// hold is the lateness in force: cfg.Lateness, or the replay lateness
	// while the input is a replay.
	hold   int64
	replay bool

	started bool
	next    int64 // oldest second not yet emitted
	max     int64 // newest second added
	last    int64 // newest second emitted, or MinInt64 before the first tick
	// offset is the UTC offset of the last emitted second that had
	// requests; empty seconds and summaries inherit it, so times are shown
	// in the zone the log was written in at that point.
	offset int32
	// in is the UTC offset of the newest request added.
	in int32
	// align is the offset that intervals of AlignLocal or more are aligned
	// in: interval k is [k*Interval-align, (k+1)*Interval-align). It is
	// the zone of the request that starts a stream and holds until the
	// stream restarts, so that intervals stay contiguous when the offset
	// changes (daylight saving time) within one.
	align int64

	// ring holds the pending seconds [next, max] at index s&mask. max-next
	// never exceeds the hold, so the ring grows to at most hold+1 slots
	// (rounded up to a power of two) and then stays put.
	ring []second
	mask int64

	// open holds the intervals from the one of next to the one of max, in
	// order: with Lateness > 0 the pending seconds can straddle boundaries.
	// Closed intervals go to free so that their section maps are reused.
	open []*interval
	free []*interval
	// sections is shared by the section tables of all intervals.
	sections budget

	ranked []*section // scratch for sorting sections
	paths  []byte     // the listed sections' heaviest documents, whole
	tick   event.Tick
	sum    event.Summary
	stats  Stats
	// total is the run's total, nil when Config.TotalTop is zero.
	total *totals
}

// second is the traffic of one pending second.
type second struct {
	offset int32 // of the last request counted in the second
	hits   int64
	bytes  int64
	status event.StatusCounts
	// lat is the sketch of the second's request times, made at the first
	// one a slot sees and kept with the slot, so that it is reused.
	lat *latency.Sketch
}

// interval accumulates one summary. Totals come from the ticks as they are
// emitted, so that a summary is exactly the sum of its ticks; sections come
// from Add, because ticks do not carry them.
type interval struct {
	k       int64 // the interval is [k*Interval, (k+1)*Interval)
	seconds int64
	hits    int64
	bytes   int64
	late    int64
	status  event.StatusCounts
	// lat merges the sketches of the interval's ticks.
	lat latency.Sketch
	// sections outlives the interval, so that its entries are reused.
	sections *sectionTable
}

// New returns an Aggregator that writes to sink.
func New(cfg Config, sink Sink) (*Aggregator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sink == nil {
		return nil, errors.New("window: nil Sink")
	}
	a := &Aggregator{cfg: cfg, sink: sink, last: math.MinInt64, hold: cfg.Lateness}
	// Seconds [next, max], at most the longest hold apart, span at most
	// hold/Interval+2 intervals; that many tables exist at most.
	tables := max(cfg.Lateness, cfg.ReplayLateness)/cfg.Interval + 2
	per := cfg.MaxSections
	if per == 0 {
		per = DefaultMaxSections
	}
	a.sections = budget{
		limit:  sectionBudget*per + int(tables),
		floor:  max(1, sectionBudget*per/int(tables)),
		unmade: int(tables),
		used:   int(tables),
	}
	if cfg.TotalTop > 0 {
		keys := cfg.MaxTotalKeys
		if keys == 0 {
			keys = DefaultMaxKeys
		}
		a.total = newTotals(keys)
	}
	return a, nil
}

// sectionBudget is how many intervals' worth of sections, at the most each
// counts exactly, all open intervals share: two, as many as are open at
// once in a live stream with the default flags, so that there each still
// counts its MaxSections exactly.
const sectionBudget = 2

// maxReplayLateness bounds the seconds held open in a replay, and so the
// ring and the intervals that are open at once.
const maxReplayLateness = 3600

// SetReplay says whether the input is, from now on, a replay, whose seconds
// are held for Config.ReplayLateness rather than Config.Lateness. Going
// live emits at once the seconds that the shorter hold makes final.
func (a *Aggregator) SetReplay(replay bool) error {
	if a.err != nil || replay == a.replay {
		return a.err
	}
	a.replay = replay
	a.hold = a.cfg.Lateness
	if replay {
		a.hold = max(a.cfg.Lateness, a.cfg.ReplayLateness)
		return nil
	}
	if !a.started {
		return nil
	}
	return a.emitThrough(a.max - a.hold - 1)
}

// Replay reports what SetReplay last said.
func (a *Aggregator) Replay() bool { return a.replay }

// Stats returns the counts so far.
func (a *Aggregator) Stats() Stats { return a.stats }

// Add counts one request and emits the ticks and summaries that it makes
// final. r is not retained.
//
// late reports that r's second had already been emitted, or that r was more
// than Lateness behind the newest request at the start of a stream; such a
// request is in no tick and counts only in the Late field of the summary of
// the interval that is open. err is an error from the Sink.
func (a *Aggregator) Add(r *event.Request) (late bool, err error) {
	if a.err != nil {
		return false, a.err
	}
	a.stats.Requests++
	a.in = r.UTCOffset
	if !a.started {
		a.offset = r.UTCOffset
	}
	ts := r.TS
	switch {
	case !a.started:
		a.start(ts)
	case ts > a.max:
		if err := a.forward(ts); err != nil {
			return false, err
		}
	case ts < a.next:
		// Older than the start of the stream but newer than anything
		// emitted: the first request of a stream need not be its oldest.
		if ts > a.last && ts >= a.max-a.hold {
			a.rewind(ts)
			break
		}
		a.front().late++
		a.stats.Late++
		return true, nil
	}
	a.count(ts, r)
	return false, nil
}

// AdvanceTo moves event time forward to second ts as a request of that
// second would, without counting one: the seconds it makes final are
// emitted, empty ones included. It lets a caller keep time moving from
// another clock while no requests arrive. Before the first request, and for
// a ts that is not newer than every request so far, it does nothing.
func (a *Aggregator) AdvanceTo(ts int64) error {
	if a.err != nil {
		return a.err
	}
	// Records stay within the protocol's years however long the wall
	// clock runs on.
	ts = min(ts, event.MaxTS)
	if !a.started || ts <= a.max {
		return nil
	}
	return a.forward(ts)
}

// forward moves the newest second to ts > max, restarting the stream if
// that is a jump beyond MaxGap.
func (a *Aggregator) forward(ts int64) error {
	// Unsigned, because the difference of two arbitrary int64s can
	// overflow and a bogus timestamp is exactly when it would.
	if a.cfg.MaxGap > 0 && uint64(ts)-uint64(a.max) > uint64(a.cfg.MaxGap) {
		if err := a.flush(); err != nil {
			return err
		}
		a.stats.Gaps++
		a.start(ts)
		return nil
	}
	return a.advance(ts)
}

// Flush emits every pending second and the summary of the open interval,
// partial or not: the input has ended and nothing will complete them.
//
// Flush is idempotent. Add may be called after it; the stream continues
// where it stopped, with any seconds in between as empty ticks, and the
// interval Flush cut short gets a second summary for its remaining seconds.
func (a *Aggregator) Flush() error {
	if a.err != nil {
		return a.err
	}
	return a.flush()
}

func (a *Aggregator) flush() error {
	if !a.started {
		return nil
	}
	if err := a.emitThrough(a.max); err != nil {
		return err
	}
	for len(a.open) > 0 {
		if err := a.closeFront(); err != nil {
			return err
		}
	}
	return nil
}

// start begins a stream at ts, the first request or the one after a gap.
func (a *Aggregator) start(ts int64) {
	a.align = 0
	if a.cfg.Interval >= AlignLocal {
		a.align = int64(a.in)
	}
	a.grow(1)
	a.started = true
	a.next, a.max = ts, ts
	a.open = append(a.open, a.newInterval(a.intervalOf(ts)))
}

// advance moves the newest second to ts > max, emitting what that makes
// final.
func (a *Aggregator) advance(ts int64) error {
	if err := a.emitThrough(ts - a.hold - 1); err != nil {
		return err
	}
	a.grow(ts - a.next + 1)
	k := a.intervalOf(a.next) - 1
	if n := len(a.open); n > 0 {
		k = a.open[n-1].k
	}
	for k++; k <= a.intervalOf(ts); k++ {
		a.open = append(a.open, a.newInterval(k))
	}
	a.max = ts
	return nil
}

// rewind moves the oldest pending second back to ts.
func (a *Aggregator) rewind(ts int64) {
	a.grow(a.max - ts + 1)
	for k := a.open[0].k - 1; k >= a.intervalOf(ts); k-- {
		a.open = slices.Insert(a.open, 0, a.newInterval(k))
	}
	a.next = ts
}

// count adds r to its pending second and its interval; ts is in [next, max].
func (a *Aggregator) count(ts int64, r *event.Request) {
	b := max(r.Bytes, 0) // -1 is "-" in the log: nothing known to be sent
	class := event.StatusClass(r.Status)

	p := &a.ring[ts&a.mask]
	p.offset = r.UTCOffset
	p.hits++
	var sat bool
	if p.bytes, sat = event.AddCount(p.bytes, b); sat {
		a.stats.Saturated++
	}
	p.status[class]++
	var rt latency.Time // absent unless the record has one
	if r.RequestTime >= 0 {
		rt = latency.NewTime(r.RequestTime)
		if p.lat == nil {
			p.lat = new(latency.Sketch)
		}
		p.lat.AddTime(rt)
	}

	iv := a.open[a.intervalOf(ts)-a.open[0].k]
	path := r.Path
	if len(path) == 0 {
		path = r.Request
	}
	if iv.sections.add(r.Section, path, b, class, rt) {
		a.stats.Saturated++
	}
	if a.total != nil && a.total.count(r, b) {
		a.stats.Saturated++
	}
}

// emitThrough emits the seconds from next through limit.
func (a *Aggregator) emitThrough(limit int64) error {
	for a.next <= limit {
		if err := a.emitNext(); err != nil {
			return err
		}
	}
	return nil
}

// emitNext emits the tick of second next and, if it ends its interval, the
// interval's summary. next may be past max when a silence is filled.
func (a *Aggregator) emitNext() error {
	s := a.next
	iv := a.front()
	var sec second
	if s <= a.max {
		p := &a.ring[s&a.mask]
		sec = *p
		*p = second{lat: p.lat}
	}
	if sec.hits > 0 {
		a.offset = sec.offset
	}
	iv.seconds++
	iv.hits += sec.hits
	var sat bool
	if iv.bytes, sat = event.AddCount(iv.bytes, sec.bytes); sat {
		a.stats.Saturated++
	}
	iv.status.Add(&sec.status)
	a.next, a.last = s+1, s
	if a.total != nil && a.total.tick(s, &sec) {
		a.stats.Saturated++
	}

	a.tick = event.Tick{
		Source:    a.cfg.Source,
		TS:        s,
		UTCOffset: a.offset,
		Hits:      sec.hits,
		Bytes:     sec.bytes,
		Status:    sec.status,
		Latency:   event.Latency{Bins: a.tick.Latency.Bins[:0]},
	}
	if sec.lat != nil && sec.lat.Count() > 0 {
		sec.lat.Sketch(&a.tick.Latency)
		iv.lat.Merge(sec.lat)
		sec.lat.Reset() // the slot's, still; the tick has its bins
	}
	a.stats.Ticks++
	if err := a.sink.Tick(&a.tick); err != nil {
		a.err = err
		return err
	}
	if s == a.intervalStart(iv.k+1)-1 {
		return a.closeFront()
	}
	return nil
}

// front returns the interval of next, which receives late requests. It
// exists unless everything has been flushed.
func (a *Aggregator) front() *interval {
	if len(a.open) == 0 {
		a.open = append(a.open, a.newInterval(a.intervalOf(a.next)))
	}
	return a.open[0]
}

// closeFront emits the summary of the oldest open interval and recycles it.
func (a *Aggregator) closeFront() error {
	iv := a.open[0]
	a.summarize(iv)
	a.stats.Summaries++
	err := a.sink.Summary(&a.sum)

	copy(a.open, a.open[1:])
	a.open[len(a.open)-1] = nil
	a.open = a.open[:len(a.open)-1]
	iv.reset()
	a.free = append(a.free, iv)
	if err != nil {
		a.err = err
	}
	return err
}

func (a *Aggregator) summarize(iv *interval) {
	s := &a.sum
	*s = event.Summary{
		Source:    a.cfg.Source,
		Start:     max(a.intervalStart(iv.k), event.MinTS),
		End:       a.intervalStart(iv.k + 1),
		UTCOffset: a.offset,
		Seconds:   iv.seconds,
		Partial:   iv.seconds < a.cfg.Interval,
		Hits:      iv.hits,
		Bytes:     iv.bytes,
		Status:    iv.status,
		Late:      iv.late,
		Sections:  s.Sections[:0],
	}
	if iv.seconds > 0 {
		s.RPS = float64(iv.hits) / float64(iv.seconds)
	}
	a.latency(&iv.lat, &s.Latency)

	a.ranked = iv.sections.rank(a.ranked[:0])
	s.SectionsTotal = iv.sections.distinct()
	s.SectionsApprox = iv.sections.approx
	listed := a.ranked[:min(len(a.ranked), a.cfg.Top)]
	// Room for every path first, so that appending never moves the ones
	// already pointed to.
	n := 0
	for _, sec := range listed {
		n += len(sec.name) + len(sec.topPath)
	}
	if cap(a.paths) < n {
		a.paths = make([]byte, 0, n)
	}
	a.paths = a.paths[:0]
	for _, sec := range listed {
		start := len(a.paths)
		if !sec.topWhole {
			a.paths = append(a.paths, sec.name...)
		}
		a.paths = append(a.paths, sec.topPath...)
		top := a.paths[start:len(a.paths):len(a.paths)]
		s.SectionsError = max(s.SectionsError, sec.over)
		s.Sections = append(s.Sections, event.SectionStat{
			Section:  sec.name,
			Hits:     sec.hits,
			Bytes:    sec.bytes,
			Errors4x: sec.status[event.Class4xx],
			Errors5x: sec.status[event.Class5xx],
			Status:   sec.status,
			TopPath:  top,
			TopBytes: sec.topBytes,
		})
		a.latency(&sec.lat, &s.Sections[len(s.Sections)-1].Latency)
	}
	clear(a.ranked) // let dropped sections be collected
}

// latency fills l with the percentiles of sk, and with its bins too when
// the summaries are a source's, for a merge to add.
func (a *Aggregator) latency(sk *latency.Sketch, l *event.Latency) {
	if a.cfg.Source == nil {
		sk.Latency(l)
		return
	}
	sketchLatency(sk, l)
}

func (a *Aggregator) newInterval(k int64) *interval {
	var iv *interval
	if n := len(a.free); n > 0 {
		iv = a.free[n-1]
		a.free = a.free[:n-1]
	} else {
		n := a.cfg.MaxSections
		if n == 0 {
			n = DefaultMaxSections
		}
		iv = &interval{sections: newSectionTable(n, &a.sections)}
	}
	iv.k = k
	return iv
}

// reset readies iv for another interval.
func (iv *interval) reset() {
	iv.sections.reset()
	iv.lat.Reset()
	*iv = interval{sections: iv.sections, lat: iv.lat}
}

// grow makes the ring hold at least n seconds, keeping [next, max].
func (a *Aggregator) grow(n int64) {
	if int64(len(a.ring)) >= n {
		return
	}
	size := max(int64(len(a.ring)), 8)
	for size < n {
		size *= 2
	}
	ring := make([]second, size)
	mask := size - 1
	if a.started {
		for s := a.next; s <= a.max; s++ {
			ring[s&mask] = a.ring[s&a.mask]
		}
	}
	a.ring, a.mask = ring, mask
}

// AlignLocal is the shortest interval aligned in the log's own zone: an
// hour, so that hours and days start where the log's clock says they do.
// Shorter intervals stay aligned to the epoch, where the summaries of hosts
// in different zones line up.
const AlignLocal = 3600

// intervalOf returns k such that second s is in interval k, which starts at
// intervalStart(k); floored, so that seconds before 1970 are not folded
// into interval 0.
func (a *Aggregator) intervalOf(s int64) int64 {
	s += a.align
	k := s / a.cfg.Interval
	if s%a.cfg.Interval < 0 {
		k--
	}
	return k
}

// intervalStart returns the first second of interval k.
func (a *Aggregator) intervalStart(k int64) int64 {
	return k*a.cfg.Interval - a.align
}
