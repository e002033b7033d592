package dashboard

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
)

// Latency is the request-time percentiles of an interval or a section, in
// seconds; Count is zero when the log had no request times.
type Latency struct {
	Count              int64
	P50, P90, P99, Max float64
}

func newLatency(l *event.Latency) Latency {
	return Latency{Count: l.Count, P50: l.P50, P90: l.P90, P99: l.P99, Max: l.Max}
}

// latencyLines is the line of the last interval's request-time
// percentiles, with the listed section of the highest p99 when there are
// several, or nothing when the log has no request times, so that the
// screen of such a log is unchanged.
func latencyLines(st *State) []string {
	iv := st.interval
	if iv == nil || iv.Latency.Count == 0 {
		return nil
	}
	line := styleTitle.Render(padRight("latency", 12)) + latencyCells(&iv.Latency)
	var slowest *Section
	n := 0
	for i := range iv.Sections {
		s := &iv.Sections[i]
		if s.Latency.Count == 0 {
			continue
		}
		n++
		if slowest == nil || s.Latency.P99 > slowest.Latency.P99 {
			slowest = s
		}
	}
	if n > 1 {
		name := slowest.Name // sanitized by NewInterval
		if name == "" {
			name = "(none)"
		}
		line += styleFaint.Render("  slowest ") + name + " p99 " + string(humane.AppendSeconds(nil, slowest.Latency.P99))
	}
	return []string{line}
}

// latencyCells draws the percentiles in cells of the status lines' width.
func latencyCells(l *Latency) string {
	var s string
	for _, c := range [...]struct {
		name string
		v    float64
	}{{"p50", l.P50}, {"p90", l.P90}, {"p99", l.P99}, {"max", l.Max}} {
		s += padRight(c.name+" "+string(humane.AppendSeconds(nil, c.v)), 13)
	}
	return s
}
