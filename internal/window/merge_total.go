package window

import (
	"bytes"
	"cmp"
	"slices"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// runTotals is what the merged total takes from the merged ticks: its
// span, counts and latency, exactly as one window's total is the sum of
// its ticks.
type runTotals struct {
	any                  bool
	start, end           int64
	seconds, hits, bytes int64
	status               event.StatusCounts
	lat                  latency.Sketch
	late                 int64 // hits of ticks late at the merge
}

func (r *runTotals) tick(s int64, p *mergedSecond) {
	if !r.any {
		r.any, r.start = true, s
	}
	r.end = s + 1
	r.seconds++
	r.hits += p.hits
	r.bytes, _ = event.AddCount(r.bytes, p.bytes)
	r.status.Add(&p.status)
	r.lat.Merge(&p.lat)
}

// Total takes a source's total record, read from input in, for the merged
// total at the end. A total seen before (same source and span) is left
// out; a source's totals of several runs add up.
func (m *Merger) Total(in int, t *event.Total, now time.Time) error {
	if m.err != nil {
		return m.err
	}
	src := m.source(in, t.Source, now)
	m.dup = false
	for i := range src.totals {
		if src.totals[i].Start == t.Start && src.totals[i].End == t.End {
			src.stats.Duplicates++
			m.dup = true
			return nil
		}
	}
	src.totals = append(src.totals, cloneTotal(t))
	return m.settle()
}

// cloneTotal copies t out of the decoder's buffers.
func cloneTotal(t *event.Total) event.Total {
	c := *t
	c.Source = slices.Clone(t.Source)
	c.Codes = slices.Clone(t.Codes)
	c.Latency.Bins = nil
	for i := range c.Lists {
		c.Lists[i] = cloneEntries(t.Lists[i])
	}
	c.Days = cloneEntries(t.Days)
	return c
}

func cloneEntries(l []event.TopEntry) []event.TopEntry {
	if l == nil {
		return nil
	}
	out := make([]event.TopEntry, len(l))
	for i, e := range l {
		out[i] = event.TopEntry{Key: slices.Clone(e.Key), Hits: e.Hits, Bytes: e.Bytes}
	}
	return out
}

// emitTotal writes the merged total, when any tick went out and totals
// are wanted.
func (m *Merger) emitTotal() error {
	if !m.run.any || m.cfg.TotalTop == 0 {
		return nil
	}
	r := &m.run
	t := event.Total{
		Start: r.start, End: r.end, UTCOffset: m.offset, Seconds: r.seconds,
		Hits: r.hits, Bytes: r.bytes, Late: r.late, Status: r.status,
	}
	r.lat.Latency(&t.Latency)
	var totals []*event.Total
	for _, src := range m.sources {
		for i := range src.totals {
			totals = append(totals, &src.totals[i])
		}
	}
	codes := map[int]int64{}
	days := map[string]*event.TopEntry{}
	for _, st := range totals {
		t.Late += st.Late
		for _, c := range st.Codes {
			codes[c.Code] += c.Hits
		}
		if st.HasHours {
			t.HasHours = true
			for h := range t.Hours {
				t.Hours[h] += st.Hours[h]
			}
		}
		for _, d := range st.Days {
			e := days[string(d.Key)]
			if e == nil {
				e = &event.TopEntry{Key: d.Key}
				days[string(d.Key)] = e
			}
			e.Hits += d.Hits
			e.Bytes, _ = event.AddCount(e.Bytes, d.Bytes)
		}
		t.DaysDropped = max(t.DaysDropped, st.DaysDropped)
	}
	for code, hits := range codes {
		t.Codes = append(t.Codes, event.CodeCount{Code: code, Hits: hits})
	}
	slices.SortFunc(t.Codes, func(a, b event.CodeCount) int {
		if a.Hits != b.Hits {
			return cmp.Compare(b.Hits, a.Hits)
		}
		return cmp.Compare(a.Code, b.Code)
	})
	for _, e := range days {
		t.Days = append(t.Days, *e)
	}
	slices.SortFunc(t.Days, func(a, b event.TopEntry) int { return bytes.Compare(a.Key, b.Key) })
	if n := len(t.Days) - event.MaxDays; n > 0 {
		t.Days = t.Days[n:]
		t.DaysDropped += int64(n)
	}
	for i := range t.Lists {
		lists := make([]topSource, len(totals))
		for j, st := range totals {
			lists[j] = topSource{entries: st.Lists[i], err: st.Approx[i],
				cut: st.Approx[i] > 0 || len(st.Lists[i]) >= m.cfg.TotalTop}
		}
		t.Lists[i], t.Approx[i] = mergeTop(lists, m.cfg.TotalTop)
	}
	return m.sink.Total(&t)
}

// topSource is one source's top list for mergeTop.
type topSource struct {
	entries []event.TopEntry
	err     int64 // the most a listed entry's hits may be too high
	cut     bool  // the list may leave out keys with hits
}

// mergeTop merges top lists the way Agarwal et al.'s mergeable summaries
// merge Space-Saving tables: a key's merged hits are the sum of its hits
// in the lists that have it plus, for each list cut short without it, the
// hits of that list's last entry, the most it can have had there. So a
// merged entry is never too low, and too high by at most the sum of the
// lists' errors and of the cut lists' last entries, which is returned as
// the merged list's error (zero when every list was whole and exact).
func mergeTop(lists []topSource, top int) ([]event.TopEntry, int64) {
	type sum struct {
		e      event.TopEntry
		listed int64 // the floors of the cut lists that have the key
	}
	var floors, errs int64
	approx := false
	index := map[string]*sum{}
	var order []*sum
	for _, l := range lists {
		var floor int64
		if l.cut && len(l.entries) > 0 {
			floor = l.entries[0].Hits
			for _, e := range l.entries {
				floor = min(floor, e.Hits)
			}
			approx = true
		}
		floors += floor
		errs += l.err
		for _, e := range l.entries {
			s := index[string(e.Key)]
			if s == nil {
				s = &sum{e: event.TopEntry{Key: e.Key}}
				index[string(e.Key)] = s
				order = append(order, s)
			}
			s.e.Hits += e.Hits
			s.e.Bytes, _ = event.AddCount(s.e.Bytes, e.Bytes)
			s.listed += floor
		}
	}
	for _, s := range order {
		s.e.Hits = min(s.e.Hits+floors-s.listed, event.MaxCount)
	}
	slices.SortFunc(order, func(a, b *sum) int {
		if a.e.Hits != b.e.Hits {
			return cmp.Compare(b.e.Hits, a.e.Hits)
		}
		return bytes.Compare(a.e.Key, b.e.Key)
	})
	var out []event.TopEntry
	for _, s := range order[:min(len(order), top)] {
		out = append(out, s.e)
	}
	if !approx && errs == 0 {
		return out, 0
	}
	return out, max(errs+floors, 1)
}
