package window

import (
	"bytes"
	"slices"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// DefaultTotalTop is how many entries each top list of the total has when
// the configuration asks for a total without saying.
const DefaultTotalTop = 50

// totals accumulates the total record of a whole run. Hits, bytes, status
// classes and latency come from the ticks as they are emitted, so that the
// total is exactly the sum of its ticks; the lists, status codes, hours and
// days come from the requests counted in those ticks.
type totals struct {
	seconds    int64
	first      int64 // first second emitted
	last       int64 // last second emitted
	hits       int64
	bytes      int64
	status     event.StatusCounts
	lat        latency.Sketch
	codes      [event.MaxStatus + 1]int64
	lists      [event.NumTopLists]*topList
	hours      [24]int64
	days       []dayCount // ascending, at most event.MaxDays
	lastDay    int        // index in days of the day counted last
	dropped    int64
	droppedMax int64 // the newest day left out

	// dayText holds the days' keys that Total hands out, kept so that they
	// stay valid.
	dayText []byte
}

// dayCount is the traffic of one calendar day in the log's zone.
type dayCount struct {
	day   int64 // days since 1970-01-01 in the log's zone
	hits  int64
	bytes int64
}

func newTotals(most int) *totals {
	t := &totals{}
	for i := range t.lists {
		t.lists[i] = newTopList(most)
	}
	return t
}

// tick adds an emitted second.
func (t *totals) tick(s int64, sec *second) (saturated bool) {
	if t.seconds == 0 {
		t.first = s
	}
	t.seconds++
	t.last = max(t.last, s)
	t.hits += sec.hits
	t.bytes, saturated = event.AddCount(t.bytes, sec.bytes)
	t.status.Add(&sec.status)
	if sec.lat != nil && sec.lat.Count() > 0 {
		t.lat.Merge(sec.lat)
	}
	return saturated
}

// count adds a request that counts in its own second; b is its size, 0
// when unknown.
func (t *totals) count(r *event.Request, b int64) (saturated bool) {
	path := r.Path
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	// A key the log did not have is not counted; the test is here, not
	// in add, so that an absent field (most logs have no hosts or
	// countries) costs no call.
	l := &t.lists
	sat := false
	if len(r.Section) > 0 {
		sat = l[event.TopSections].add(r.Section, b)
	}
	if len(path) > 0 {
		sat = l[event.TopPaths].add(path, b) || sat
		if r.Status == 404 {
			sat = l[event.TopNotFound].add(path, b) || sat
		}
	}
	if len(r.RemoteHost) > 0 {
		sat = l[event.TopClients].add(r.RemoteHost, b) || sat
	}
	if len(r.Referer) > 0 {
		sat = l[event.TopReferers].add(r.Referer, b) || sat
	}
	if len(r.UserAgent) > 0 {
		sat = l[event.TopUserAgents].add(r.UserAgent, b) || sat
	}
	if len(r.Host) > 0 {
		sat = l[event.TopHosts].add(r.Host, b) || sat
	}
	if len(r.Country) > 0 {
		sat = l[event.TopCountries].add(r.Country, b) || sat
	}
	if r.Status > 0 {
		t.codes[r.Status]++
	}
	local := r.TS + int64(r.UTCOffset)
	day := floorDiv(local, 86400)
	t.hours[(local-day*86400)/3600]++
	if i := t.lastDay; i < len(t.days) && t.days[i].day == day {
		// The day of the last request, as it mostly is.
		d := &t.days[i]
		d.hits++
		var s bool
		d.bytes, s = event.AddCount(d.bytes, b)
		return s || sat
	}
	return t.day(day, b) || sat
}

// day adds a request of b bytes to its calendar day.
func (t *totals) day(day, b int64) (saturated bool) {
	i := t.lastDay
	if i >= len(t.days) || t.days[i].day != day {
		var found bool
		i, found = slices.BinarySearchFunc(t.days, day, func(d dayCount, day int64) int {
			return cmpInt(d.day, day)
		})
		if !found {
			if len(t.days) == event.MaxDays {
				if i == 0 {
					// Older than every day kept: left out, and counted
					// once, as days come in order but for the lateness.
					if day > t.droppedMax || t.dropped == 0 {
						t.dropped++
						t.droppedMax = day
					}
					return false
				}
				t.dropped++
				t.droppedMax = max(t.droppedMax, t.days[0].day)
				t.days = slices.Delete(t.days, 0, 1)
				i--
			}
			t.days = slices.Insert(t.days, i, dayCount{day: day})
		}
		t.lastDay = i
	}
	d := &t.days[i]
	d.hits++
	d.bytes, saturated = event.AddCount(d.bytes, b)
	return saturated
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// Total fills t with the totals of the run so far and reports whether
// there are any: false before the first second is emitted, or when
// Config.TotalTop is zero. The slices in t are reused, and the byte
// slices they point to belong to the Aggregator, valid until its next
// call.
func (a *Aggregator) Total(t *event.Total) bool {
	tt := a.total
	if tt == nil || tt.seconds == 0 {
		return false
	}
	codes, days, bins := t.Codes[:0], t.Days[:0], t.Latency.Bins[:0]
	lists := t.Lists
	*t = event.Total{
		Start:     tt.first,
		End:       tt.last + 1,
		UTCOffset: a.offset,
		Seconds:   tt.seconds,
		Hits:      tt.hits,
		Bytes:     tt.bytes,
		Late:      a.stats.Late,
		Status:    tt.status,
		Latency:   event.Latency{Bins: bins},
		Hours:     tt.hours,
		HasHours:  tt.hits > 0,
	}
	tt.lat.Latency(&t.Latency)
	for code, n := range tt.codes {
		if n > 0 {
			codes = append(codes, event.CodeCount{Code: code, Hits: n})
		}
	}
	slices.SortStableFunc(codes, func(x, y event.CodeCount) int { return cmpInt(y.Hits, x.Hits) })
	t.Codes = codes
	for i, l := range tt.lists {
		t.Lists[i], t.Approx[i] = l.top(lists[i][:0], a.cfg.TotalTop)
	}
	tt.dayText = tt.dayText[:0]
	for _, d := range tt.days {
		start := len(tt.dayText)
		tt.dayText = time.Unix(d.day*86400, 0).UTC().AppendFormat(tt.dayText, time.DateOnly)
		days = append(days, event.TopEntry{Hits: d.hits, Bytes: d.bytes, Key: tt.dayText[start:len(tt.dayText):len(tt.dayText)]})
	}
	// The text grew in place; point the keys at where it is now.
	off := 0
	for i := range days {
		n := len(days[i].Key)
		days[i].Key = tt.dayText[off : off+n : off+n]
		off += n
	}
	t.Days = days
	t.DaysDropped = tt.dropped
	return true
}
