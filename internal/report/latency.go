package report

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// latencyNameWidth bounds the first column of the latency table, so that
// a long section name cannot push the numbers off the margin.
const latencyNameWidth = 30

// latencyCellWidth fits every duration AppendDuration writes, like
// "12.5ms", with a space before it.
const latencyCellWidth = 8

var latencyHeads = [...]string{"p50", "p90", "p99", "max"}

// appendLatency appends the table of request-time percentiles of an
// interval that had request times: the interval's, then each listed
// section's that had some. Intervals without request times show none,
// so that reports of logs that do not log them are unchanged.
func appendLatency(b []byte, s *event.Summary) []byte {
	if s.Latency.Count == 0 {
		return b
	}
	all := []byte("all")
	w := len("latency")
	for i := range s.Sections {
		if s.Sections[i].Latency.Count > 0 {
			w = max(w, min(textsafe.Width(section(s.Sections[i].Section)), latencyNameWidth))
		}
	}
	b = append(b, "  "...)
	b = appendPadRight(b, []byte("latency"), w)
	for _, h := range latencyHeads {
		b = appendSpaces(b, latencyCellWidth-len(h))
		b = append(b, h...)
	}
	b = append(b, '\n')
	b = appendLatencyRow(b, all, &s.Latency, w)
	for i := range s.Sections {
		if sec := &s.Sections[i]; sec.Latency.Count > 0 {
			b = appendLatencyRow(b, section(sec.Section), &sec.Latency, w)
		}
	}
	return b
}

func appendLatencyRow(b, name []byte, l *event.Latency, w int) []byte {
	b = append(b, "  "...)
	b = appendPadRight(b, name, w)
	for _, v := range [...]float64{l.P50, l.P90, l.P99, l.Max} {
		var cell [24]byte
		c := humane.AppendSeconds(cell[:0], v)
		b = appendSpaces(b, latencyCellWidth-textsafe.Width(c))
		b = append(b, c...)
	}
	return append(b, '\n')
}
