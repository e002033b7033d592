package latency

import "github.com/httpmon/httpmon/internal/event"

// AddLatency adds to s the request times of a sketch as a record carries
// it (a tick's latency, or a source summary's), exactly: bins add their
// counts, which is what makes sketches of many hosts mergeable. A record
// that has a count but neither bins nor zero carries no sketch and adds
// nothing; HasSketch tells. A record holds no minimum, so once one is
// added the percentiles of s are no longer clamped to the exact minimum
// (only to the maximum), which keeps them within the sketch's accuracy.
func (s *Sketch) AddLatency(l *event.Latency) {
	if !HasSketch(l) {
		return
	}
	s.min = 0
	s.max = max(s.max, l.Max)
	s.count += l.Count
	s.zero += l.Zero
	for _, b := range l.Bins {
		s.bins().AddWithCount(int(b.Index), float64(b.Count))
	}
}

// HasSketch reports whether l carries the sketch of its times, not only
// percentiles.
func HasSketch(l *event.Latency) bool {
	return l.Count > 0 && (l.Zero > 0 || len(l.Bins) > 0)
}
