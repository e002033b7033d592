package report

import (
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
)

// Summary renders one interval: a bold header with its time range, a line
// of totals and a table of the top sections. An interval without requests
// is not written at once: a run of them becomes a single line (see
// emptyRun), so that a quiet night does not scroll pages past the operator.
func (r *Renderer) Summary(s *event.Summary) error {
	if s.Hits == 0 {
		return r.holdEmpty(s)
	}
	b := r.flushEmpty(r.buf[:0])
	if r.last != shapeNone {
		b = append(b, '\n')
	}
	b = r.sgr(b, sgrBold)
	b = r.appendRange(b, s)
	b = r.sgr(b, sgrReset)
	b = append(b, '\n')
	b = r.appendTotals(b, s)
	b = r.appendSections(b, s)
	b = appendLatency(b, s)
	r.last = shapeBlock
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

// appendRange appends the interval's time range in the log's zone, with the
// end date only when it differs from the start's, and the partial marker.
func (r *Renderer) appendRange(b []byte, s *event.Summary) []byte {
	loc := r.zone(s.UTCOffset)
	start := time.Unix(s.Start, 0).In(loc)
	end := time.Unix(s.End, 0).In(loc)
	b = start.AppendFormat(b, time.DateTime)
	b = append(b, " → "...)
	sy, sm, sd := start.Date()
	ey, em, ed := end.Date()
	if sy != ey || sm != em || sd != ed {
		b = end.AppendFormat(b, time.DateTime)
	} else {
		b = end.AppendFormat(b, time.TimeOnly)
	}
	b = end.AppendFormat(b, " -0700")
	if s.Partial {
		b = append(b, " (partial, "...)
		b = humane.AppendDuration(b, s.Seconds)
		b = append(b, ')')
	}
	return b
}

// appendTotals appends the line of interval totals, wrapping it between
// groups, never inside one, in the rare case it would pass the margin.
func (r *Renderer) appendTotals(b []byte, s *event.Summary) []byte {
	const indent = "  "
	b = append(b, indent...)
	col := len(indent)

	r.tmp = strconv.AppendInt(r.tmp[:0], s.Hits, 10)
	r.tmp = append(r.tmp, " hits"...)
	b, col = r.appendGroup(b, col, "")

	r.tmp = humane.AppendRate(r.tmp[:0], s.RPS)
	r.tmp = append(r.tmp, " req/s"...)
	b, col = r.appendGroup(b, col, "")

	r.tmp = humane.AppendBytes(r.tmp[:0], s.Bytes)
	b, col = r.appendGroup(b, col, "")

	for class, n := range s.Status {
		color := ""
		switch class {
		case event.Class1xx, event.ClassOther:
			// Rare enough that a zero would only be noise.
			if n == 0 {
				continue
			}
		case event.Class4xx:
			if n != 0 {
				color = sgrYellow
			}
		case event.Class5xx:
			if n != 0 {
				color = sgrRed
			}
		}
		r.tmp = append(r.tmp[:0], event.ClassNames[class]...)
		r.tmp = append(r.tmp, ' ')
		r.tmp = strconv.AppendInt(r.tmp, n, 10)
		b, col = r.appendGroup(b, col, color)
	}

	if s.Late != 0 {
		r.tmp = append(r.tmp[:0], "late "...)
		r.tmp = strconv.AppendInt(r.tmp, s.Late, 10)
		b, _ = r.appendGroup(b, col, "")
	}
	return append(b, '\n')
}

// appendGroup appends r.tmp, which is ASCII, as one group of the totals
// line at column col and returns the new column.
func (r *Renderer) appendGroup(b []byte, col int, color string) ([]byte, int) {
	const indent, sep = 2, "  "
	if col > indent {
		if col+len(sep)+len(r.tmp) > margin {
			b = append(b, "\n  "...)
			col = indent
		} else {
			b = append(b, sep...)
			col += len(sep)
		}
	}
	if color != "" {
		b = r.sgr(b, color)
	}
	b = append(b, r.tmp...)
	if color != "" {
		b = r.sgr(b, sgrReset)
	}
	return b, col + len(r.tmp)
}
