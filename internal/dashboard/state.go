package dashboard

import (
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// historySeconds is how many seconds of per-second hits are kept for the
// graph: more than the widest terminal shows at one column a second.
const historySeconds = 1024

// maxAlerts bounds the alert history; a flapping rule must not grow it
// without end.
const maxAlerts = 200

// maxSources bounds the set of source labels, which come from the log.
const maxSources = 10000

// Span is one firing of an alert rule: when it fired and, once it has, when
// it resolved. A stream that starts while a rule is firing yields a span
// with only the resolution.
type Span struct {
	Name         string
	Fired        bool
	FiredTS      int64
	FiredHits    int64
	Rate         float64
	Threshold    float64
	Window       int64
	Resolved     bool
	ResolvedTS   int64
	ResolvedHits int64
	UTCOffset    int32
}

// State is everything the dashboard knows, built from the records in
// arrival order. It does no I/O and reads no clock: time is the log's own,
// from the ticks, so a replay shows what a live run would have.
type State struct {
	hits        [historySeconds]int64 // per-second hits, indexed by ts mod historySeconds
	haveTick    bool
	first       int64 // first tick's second
	last        int64 // latest tick's second
	lastHits    int64 // hits of the latest tick
	utcOffset   int32
	total       int64
	late        int64              // summed from the summaries: requests in no tick
	status      event.StatusCounts // since start
	interval    *Interval          // latest summary
	whole       *Interval          // the whole run, from a total record
	threshold   float64
	window      int64
	rules       []*Rule // announced by rule records, in arrival order
	moreRules   bool    // rules passed maxRules
	graphRule   string  // name of the rule the graph draws, once known
	history     []*Span
	firing      map[string]*Span
	forgotten   int64               // spans dropped from a full history while still firing
	sources     map[uint64]struct{} // hashes of source labels
	moreSource  bool                // sources passed maxSources
	malformed   int64
	notices     []string // the latest maxNotices notices from upstream
	noticeCount int64
	ended       bool
	endErr      string // err's message, sanitized for the screen
	err         error
}

// NewState returns an empty State that draws the given threshold, in
// requests per second averaged over window seconds, until an alert record
// says otherwise.
func NewState(threshold float64, window int64) *State {
	return &State{threshold: threshold, window: window, firing: map[string]*Span{}}
}

// take applies a batch from Feed: its records, its count of malformed
// lines and, on the last one, the end of input.
func (s *State) take(b *Batch) {
	for i := range b.Records {
		s.Apply(&b.Records[i])
	}
	s.malformed += b.Malformed
	if b.End {
		s.end(b.Err)
	}
}

// end records that the input ended, because reading failed with err or,
// with err nil, normally.
func (s *State) end(err error) {
	s.ended, s.err = true, err
	if err != nil {
		s.endErr = sanitized([]byte(err.Error()))
	}
}

// Apply adds one record.
func (s *State) Apply(r *Record) {
	switch {
	case r.Tick != nil:
		s.tick(r.Tick)
	case r.Interval != nil:
		s.interval = r.Interval
		s.late += r.Interval.Late
	case r.Total != nil:
		s.whole = r.Total
	case r.Alert != nil:
		s.alert(r.Alert)
	case r.Rule != nil:
		s.rule(r.Rule)
	case r.Notice != "":
		s.notice(r.Notice)
	case r.Source != 0:
		if _, ok := s.sources[r.Source]; ok {
			return
		}
		if len(s.sources) >= maxSources {
			s.moreSource = true
			return
		}
		if s.sources == nil {
			s.sources = map[uint64]struct{}{}
		}
		s.sources[r.Source] = struct{}{}
	}
}

func (s *State) tick(t *event.Tick) {
	s.total += t.Hits
	s.status.Add(&t.Status)
	if !s.haveTick {
		s.haveTick = true
		s.first, s.last = t.TS, t.TS
		s.hits[slot(t.TS)] = t.Hits
		s.lastHits = t.Hits
		s.utcOffset = t.UTCOffset
		return
	}
	switch {
	case t.TS > s.last:
		// Ticks are contiguous, but a gap must not leave stale counts
		// from historySeconds ago in the seconds it skipped.
		for ts := s.last + 1; ts < t.TS && ts <= s.last+historySeconds; ts++ {
			s.hits[slot(ts)] = 0
		}
		s.hits[slot(t.TS)] = t.Hits
		s.last = t.TS
		s.lastHits = t.Hits
		s.utcOffset = t.UTCOffset
	case t.TS > s.last-historySeconds:
		// A repeated or late second adds to the one already shown.
		s.hits[slot(t.TS)] += t.Hits
		if t.TS == s.last {
			s.lastHits += t.Hits
		}
	}
	if t.TS < s.first {
		s.first = t.TS
	}
}

func slot(ts int64) int {
	i := ts % historySeconds
	if i < 0 {
		i += historySeconds
	}
	return int(i)
}

func (s *State) alert(a *Alert) {
	s.graphAlert(a)
	if a.Firing {
		if sp := s.firing[a.Name]; sp != nil {
			// Fired again without resolving: the later record wins.
			sp.FiredTS, sp.FiredHits, sp.Rate = a.TS, a.Hits, a.Rate
			return
		}
		sp := &Span{Name: a.Name, Fired: true, FiredTS: a.TS, FiredHits: a.Hits,
			Rate: a.Rate, Threshold: a.Threshold, Window: a.Window, UTCOffset: a.UTCOffset}
		s.firing[a.Name] = sp
		s.addSpan(sp)
		return
	}
	sp := s.firing[a.Name]
	if sp == nil {
		sp = &Span{Name: a.Name, Threshold: a.Threshold, UTCOffset: a.UTCOffset}
		s.addSpan(sp)
	}
	delete(s.firing, a.Name)
	sp.Resolved, sp.ResolvedTS, sp.ResolvedHits = true, a.TS, a.Hits
	if a.Window > 0 {
		sp.Window = a.Window
	}
}

// addSpan appends to the history, dropping the oldest resolved span when it
// is full, or else the oldest span: spans still firing are kept while there
// is room, as the banners refer to them, but a stream of distinct alerts
// that never resolve must not grow the history, nor the time each record
// takes, without bound. Forgotten firing spans are counted.
func (s *State) addSpan(sp *Span) {
	if len(s.history) >= maxAlerts {
		i := slices.IndexFunc(s.history, func(old *Span) bool { return old.Resolved })
		if i < 0 {
			i = 0
			old := s.history[0]
			if s.firing[old.Name] == old {
				delete(s.firing, old.Name)
				s.forgotten++
			}
		}
		s.history = slices.Delete(s.history, i, i+1)
	}
	s.history = append(s.history, sp)
}

// HitsAt returns the hits of second ts, and false when ts is outside the
// seconds the state holds.
func (s *State) HitsAt(ts int64) (int64, bool) {
	if !s.haveTick || ts > s.last || ts < s.first || ts <= s.last-historySeconds {
		return 0, false
	}
	return s.hits[slot(ts)], true
}

// Average returns the mean hits per second over the last window seconds,
// the figure the alert rule compares with its threshold.
func (s *State) Average() float64 {
	if !s.haveTick || s.window <= 0 {
		return 0
	}
	var sum int64
	n := min(s.window, historySeconds)
	for ts := s.last - n + 1; ts <= s.last; ts++ {
		if h, ok := s.HitsAt(ts); ok {
			sum += h
		}
	}
	return float64(sum) / float64(s.window)
}

// Firing returns the spans of the rules firing now, oldest first.
func (s *State) Firing() []*Span {
	var out []*Span
	for _, sp := range s.history {
		if sp.Fired && !sp.Resolved {
			out = append(out, sp)
		}
	}
	return out
}

// Clone returns a deep copy, which the paused dashboard shows while the
// live state goes on taking records.
func (s *State) Clone() *State {
	c := *s
	c.rules = slices.Clone(s.rules) // rules are never changed once made
	c.notices = slices.Clone(s.notices)
	c.firing = make(map[string]*Span, len(s.firing))
	c.history = make([]*Span, len(s.history))
	for i, sp := range s.history {
		cp := *sp
		c.history[i] = &cp
		if s.firing[sp.Name] == sp {
			c.firing[sp.Name] = &cp
		}
	}
	if s.sources != nil {
		c.sources = make(map[uint64]struct{}, len(s.sources))
		for k := range s.sources {
			c.sources[k] = struct{}{}
		}
	}
	// Intervals are never changed once made, so sharing them is safe.
	return &c
}

// view returns the state as the screen shows it: with whole, and once a
// total record came, the whole run in place of the last interval.
func (s *State) view(whole bool) *State {
	if !whole || s.whole == nil {
		return s
	}
	v := *s
	v.interval = s.whole
	return &v
}
