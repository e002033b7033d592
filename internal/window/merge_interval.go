package window

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// mergedInterval accumulates one merged summary: its totals from the merged
// ticks, as a window's summary is the sum of its ticks, and its sections
// from the sources' summaries, which alone list them.
type mergedInterval struct {
	k                          int64
	seconds, hits, bytes, late int64
	status                     event.StatusCounts
	lat                        latency.Sketch
	lateBy                     []event.SourceCount

	secs  []*mergedSection
	pool  []*mergedSection // secs' room, reused
	index map[string]*mergedSection
	// floors is the sum, over the sources whose lists were cut short, of
	// the hits of their last listed section: the most that a section they
	// did not list can have had there (Space-Saving and an exact top list
	// alike never leave out a section with more).
	floors   int64
	errs     int64 // the sum of the sources' sections_error
	approx   bool
	totalMax int64 // the largest sections_total of a source
}

// mergedSection is one section's sum over the sources that listed it.
type mergedSection struct {
	name                []byte
	hits, bytes, e4, e5 int64
	status              event.StatusCounts
	topPath             []byte
	topBytes            int64
	floorListed         int64 // the floors of the cut-short sources that listed it
	lat                 latency.Sketch
	estimate            int64
}

// addLate counts n late records of source name.
func (iv *mergedInterval) addLate(name []byte, n int64) {
	iv.late += n
	for i := range iv.lateBy {
		if bytes.Equal(iv.lateBy[i].Source, name) {
			iv.lateBy[i].Count += n
			return
		}
	}
	iv.lateBy = append(iv.lateBy, event.SourceCount{Source: name, Count: n})
}

// interval returns merged interval k, making it if needed.
func (m *Merger) interval(k int64) *mergedInterval {
	i, found := slices.BinarySearchFunc(m.open, k, func(iv *mergedInterval, k int64) int {
		switch {
		case iv.k < k:
			return -1
		case iv.k > k:
			return 1
		}
		return 0
	})
	if found {
		return m.open[i]
	}
	var iv *mergedInterval
	if n := len(m.spare); n > 0 {
		iv = m.spare[n-1]
		m.spare = m.spare[:n-1]
	} else {
		iv = &mergedInterval{index: map[string]*mergedSection{}}
	}
	iv.k = k
	m.open = slices.Insert(m.open, i, iv)
	return iv
}

// find returns merged interval k if it is open.
func (m *Merger) find(k int64) *mergedInterval {
	for _, iv := range m.open {
		if iv.k == k {
			return iv
		}
	}
	return nil
}

// Summary merges a source's summary, read from input in. Its interval
// must be one of MergeConfig.Interval's.
func (m *Merger) Summary(in int, s *event.Summary, now time.Time) error {
	if m.err != nil {
		return m.err
	}
	src := m.source(in, s.Source, now)
	m.dup = false
	if s.Start <= src.sumHi || (m.cfg.Resuming && s.End <= m.cfg.Resume) {
		src.stats.Duplicates++
		m.dup = true
		return nil
	}
	k := m.intervalOf(s.Start)
	if m.intervalStart(k+1) != s.End || (m.intervalStart(k) != s.Start && s.Start != event.MinTS) {
		return &MisalignedError{Start: s.Start, End: s.End, Interval: m.cfg.Interval}
	}
	src.sumHi = s.Start
	if k <= m.doneK || (m.started && s.End <= m.next && m.find(k) == nil) {
		src.stats.LateSummaries++
		m.sink.Tell(src.name, fmt.Sprintf("summary of %s came after its merged summary was out; its sections are in none", rfc3339(s.Start)))
		if s.Late > 0 {
			m.late(src, s.Late)
		}
		return m.settle()
	}
	src.stats.Summaries++
	iv := m.interval(k)
	if s.Late > 0 {
		iv.addLate(src.name, s.Late)
	}
	iv.addSections(s)
	return m.settle()
}

// MisalignedError is a summary whose interval is not one of the merge's:
// the sources and the merge must share --interval.
type MisalignedError struct {
	Start, End, Interval int64
}

func (e *MisalignedError) Error() string {
	return fmt.Sprintf("summary [%d, %d) is not an interval of --interval %ds; give --merge the --interval of the windows it merges", e.Start, e.End, e.Interval)
}

// addSections adds a source summary's listed sections.
func (iv *mergedInterval) addSections(s *event.Summary) {
	cut := s.SectionsApprox || s.SectionsTotal > int64(len(s.Sections))
	var floor int64
	if cut && len(s.Sections) > 0 {
		floor = s.Sections[len(s.Sections)-1].Hits
		for i := range s.Sections {
			floor = min(floor, s.Sections[i].Hits)
		}
	}
	iv.approx = iv.approx || cut
	iv.floors += floor
	iv.errs += s.SectionsError
	iv.totalMax = max(iv.totalMax, s.SectionsTotal)
	for i := range s.Sections {
		sec := &s.Sections[i]
		ms := iv.index[string(sec.Section)]
		if ms == nil {
			ms = iv.newSection(sec.Section)
		}
		ms.hits += sec.Hits
		ms.bytes, _ = event.AddCount(ms.bytes, sec.Bytes)
		ms.e4 += sec.Errors4x
		ms.e5 += sec.Errors5x
		ms.status.Add(&sec.Status)
		// Ties go to the smaller path, so that the order in which the
		// sources' summaries arrive does not matter.
		if ms.topPath == nil || sec.TopBytes > ms.topBytes || (sec.TopBytes == ms.topBytes && bytes.Compare(sec.TopPath, ms.topPath) < 0) {
			ms.topPath = append(ms.topPath[:0], sec.TopPath...)
			if ms.topPath == nil {
				ms.topPath = []byte{}
			}
			ms.topBytes = sec.TopBytes
		}
		ms.floorListed += floor
		ms.lat.AddLatency(&sec.Latency)
	}
}

func (iv *mergedInterval) newSection(name []byte) *mergedSection {
	var ms *mergedSection
	if n := len(iv.secs); n < len(iv.pool) {
		ms = iv.pool[n]
		ms.lat.Reset()
		*ms = mergedSection{name: ms.name[:0], topPath: nil, lat: ms.lat}
	} else {
		ms = &mergedSection{lat: latency.Sketch{MaxBins: latency.SectionBins}}
		iv.pool = append(iv.pool, ms)
	}
	ms.name = append(ms.name, name...)
	iv.secs = append(iv.secs, ms)
	iv.index[string(ms.name)] = ms
	return ms
}

// ready reports whether merged interval iv can go out: its last second is
// final, and every live source has sent its summary of it or a tick past
// it. A window sends an interval's summary right after the interval's
// last tick, so without this the last source to pass it would always
// miss it.
func (m *Merger) ready(iv *mergedInterval) bool {
	end := m.intervalStart(iv.k + 1)
	if !m.started || m.next < end {
		return false
	}
	start := m.intervalStart(iv.k)
	for _, src := range m.sources {
		if src.state != sourceLive || !src.started || src.hi >= end || src.sumHi >= start {
			continue
		}
		return false
	}
	return true
}

// closeReady emits the intervals that are complete, oldest first.
func (m *Merger) closeReady() error {
	for len(m.open) > 0 && m.ready(m.open[0]) {
		if err := m.closeFront(); err != nil {
			return err
		}
	}
	return nil
}

// closeBefore emits every open interval that starts before limit, complete
// or not.
func (m *Merger) closeBefore(limit int64) error {
	for len(m.open) > 0 && m.intervalStart(m.open[0].k) < limit {
		if err := m.closeFront(); err != nil {
			return err
		}
	}
	return nil
}

func (m *Merger) closeFront() error {
	iv := m.open[0]
	m.summarize(iv)
	m.open = slices.Delete(m.open, 0, 1)
	m.doneK = max(m.doneK, iv.k)
	err := m.sink.Summary(&m.sum)
	iv.lat.Reset()
	clear(iv.index)
	*iv = mergedInterval{lat: iv.lat, lateBy: iv.lateBy[:0], pool: iv.pool, secs: iv.secs[:0], index: iv.index}
	m.spare = append(m.spare, iv)
	if err != nil {
		m.err = err
	}
	return err
}

func (m *Merger) summarize(iv *mergedInterval) {
	s := &m.sum
	*s = event.Summary{
		Start:       max(m.intervalStart(iv.k), event.MinTS),
		End:         m.intervalStart(iv.k + 1),
		UTCOffset:   m.offset,
		Seconds:     iv.seconds,
		Partial:     iv.seconds < m.cfg.Interval,
		Hits:        iv.hits,
		Bytes:       iv.bytes,
		Status:      iv.status,
		Late:        iv.late,
		LateSources: iv.lateBy,
		Latency:     event.Latency{Bins: s.Latency.Bins[:0]},
		Sections:    s.Sections[:0],
	}
	if iv.seconds > 0 {
		s.RPS = float64(iv.hits) / float64(iv.seconds)
	}
	sketchLatency(&iv.lat, &s.Latency)
	for _, ms := range iv.secs {
		ms.estimate = ms.hits + iv.floors - ms.floorListed
	}
	m.ranked = append(m.ranked[:0], iv.secs...)
	slices.SortFunc(m.ranked, func(a, b *mergedSection) int {
		if a.estimate != b.estimate {
			if a.estimate > b.estimate {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.name, b.name)
	})
	s.SectionsTotal = int64(len(iv.secs))
	if iv.approx {
		s.SectionsApprox = true
		s.SectionsTotal = max(s.SectionsTotal, iv.totalMax)
		s.SectionsError = max(iv.errs+iv.floors, 1)
	}
	for _, ms := range m.ranked[:min(len(m.ranked), m.cfg.Top)] {
		s.Sections = append(s.Sections, event.SectionStat{
			Section: ms.name, Hits: min(ms.estimate, event.MaxCount), Bytes: ms.bytes,
			Errors4x: ms.e4, Errors5x: ms.e5, Status: ms.status, TopPath: ms.topPath, TopBytes: ms.topBytes,
		})
		sketchLatency(&ms.lat, &s.Sections[len(s.Sections)-1].Latency)
	}
	clear(m.ranked)
}

// sketchLatency fills l with the percentiles of sk and its bins, so that a
// record built from merged sketches can itself be merged again.
func sketchLatency(sk *latency.Sketch, l *event.Latency) {
	sk.Sketch(l)
	if l.Count > 0 {
		l.P50, l.P90, l.P99 = sk.Quantile(50), sk.Quantile(90), sk.Quantile(99)
	}
}

// closeAll ends the merged stream's open intervals at a hole longer than
// MaxGap, or at the end.
func (m *Merger) closeAll() error {
	if !m.started {
		return m.closeBefore(math.MaxInt64)
	}
	return m.closeBefore(m.next)
}
