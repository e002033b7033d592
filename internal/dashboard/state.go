package dashboard

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Record is one decoded input record, owned by the dashboard: its strings
// are copies, already passed through textsafe.Append, so that nothing
// from the log can reach the terminal as a control sequence. Exactly one
// of Tick, Interval and Alert is set, or Source alone for a request.
type Record struct {
	Tick     *event.Tick
	Interval *Interval
	Alert    *Alert
	// Source is the label of the input a request record came from.
	Source string
}

// Interval is a sanitized copy of a summary record.
type Interval struct {
	Start, End    int64
	UTCOffset     int32
	Seconds       int64
	Partial       bool
	Hits          int64
	RPS           float64
	Bytes         int64
	Status        event.StatusCounts
	Late          int64
	Sections      []Section
	SectionsTotal int64
}

// Section is a sanitized copy of one row of a summary's top sections.
type Section struct {
	Name     string
	Hits     int64
	Bytes    int64
	Errors4x int64
	Errors5x int64
	TopPath  string
	TopBytes int64
}

// Alert is a sanitized copy of an alert record.
type Alert struct {
	Name      string // the rule's name as sent, sanitized
	Firing    bool
	TS        int64
	UTCOffset int32
	Hits      int64
	Threshold float64
	Window    int64
	Rate      float64
}

func sanitized(b []byte) string { return string(textsafe.Append(nil, b)) }

// NewInterval copies a decoded summary, whose byte slices alias the
// decoder's buffer.
func NewInterval(s *event.Summary) *Interval {
	iv := &Interval{
		Start: s.Start, End: s.End, UTCOffset: s.UTCOffset, Seconds: s.Seconds,
		Partial: s.Partial, Hits: s.Hits, RPS: s.RPS, Bytes: s.Bytes,
		Status: s.Status, Late: s.Late, SectionsTotal: s.SectionsTotal,
		Sections: make([]Section, len(s.Sections)),
	}
	for i := range s.Sections {
		in := &s.Sections[i]
		iv.Sections[i] = Section{
			Name: sanitized(in.Section), Hits: in.Hits, Bytes: in.Bytes,
			Errors4x: in.Errors4x, Errors5x: in.Errors5x,
			TopPath: sanitized(in.TopPath), TopBytes: in.TopBytes,
		}
	}
	return iv
}

// NewAlert copies a decoded alert.
func NewAlert(a *event.Alert) *Alert {
	return &Alert{
		Name: sanitized(a.Name), Firing: string(a.State) == event.StateFiring,
		TS: a.TS, UTCOffset: a.UTCOffset, Hits: a.Hits,
		Threshold: a.Threshold, Window: a.Window, Rate: a.Rate,
	}
}

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
	hits       [historySeconds]int64 // per-second hits, indexed by ts mod historySeconds
	haveTick   bool
	first      int64 // first tick's second
	last       int64 // latest tick's second
	lastHits   int64 // hits of the latest tick
	utcOffset  int32
	total      int64
	late       int64 // summed from the summaries: requests in no tick
	bytes      int64
	status     event.StatusCounts // since start
	interval   *Interval          // latest summary
	threshold  float64
	window     int64
	fromAlert  bool // threshold and window came from an alert record
	history    []*Span
	firing     map[string]*Span
	sources    map[string]struct{}
	moreSource bool // sources passed maxSources
	malformed  int64
	ended      bool
	endErr     string // err's message, sanitized for the screen
	err        error
}

// NewState returns an empty State that draws the given threshold, in
// requests per second averaged over window seconds, until an alert record
// says otherwise.
func NewState(threshold float64, window int64) *State {
	return &State{threshold: threshold, window: window, firing: map[string]*Span{}}
}

// Apply adds one record.
func (s *State) Apply(r *Record) {
	switch {
	case r.Tick != nil:
		s.tick(r.Tick)
	case r.Interval != nil:
		s.interval = r.Interval
		s.late += r.Interval.Late
	case r.Alert != nil:
		s.alert(r.Alert)
	case r.Source != "":
		if _, ok := s.sources[r.Source]; ok {
			return
		}
		if len(s.sources) >= maxSources {
			s.moreSource = true
			return
		}
		if s.sources == nil {
			s.sources = map[string]struct{}{}
		}
		s.sources[r.Source] = struct{}{}
	}
}

func (s *State) tick(t *event.Tick) {
	s.total += t.Hits
	s.bytes += t.Bytes
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
	if a.Threshold > 0 {
		s.threshold = a.Threshold
		s.fromAlert = true
	}
	if a.Window > 0 {
		s.window = a.Window
	}
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
// is full; spans still firing stay, as the banner refers to them.
func (s *State) addSpan(sp *Span) {
	if len(s.history) >= maxAlerts {
		for i, old := range s.history {
			if old.Resolved {
				s.history = append(s.history[:i], s.history[i+1:]...)
				break
			}
		}
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
		c.sources = make(map[string]struct{}, len(s.sources))
		for k := range s.sources {
			c.sources[k] = struct{}{}
		}
	}
	// Intervals are never changed once made, so sharing them is safe.
	return &c
}
