package report

import (
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
)

// emptyRun is a run of consecutive intervals without requests, written as
// one line when the run ends: a replay of a log with a quiet night would
// otherwise print thousands of "no requests" lines.
type emptyRun struct {
	n     int           // intervals in the run; 0 when there is none
	first event.Summary // the first, whose start the line shows
	end   int64
	late  int64
	held  bool // the run outlived one idle check, see Idle
}

// holdEmpty adds s, an interval without requests, to the run, writing the
// run before it first if s does not continue it.
func (r *Renderer) holdEmpty(s *event.Summary) error {
	e := &r.empty
	if e.n > 0 && (s.Start != e.end || s.UTCOffset != e.first.UTCOffset) {
		if err := r.Flush(); err != nil {
			return err
		}
	}
	if e.n == 0 {
		e.first = event.Summary{Start: s.Start, End: s.End, UTCOffset: s.UTCOffset, Seconds: s.Seconds, Partial: s.Partial}
	}
	e.n++
	e.end = s.End
	e.late += s.Late
	e.held = false
	return nil
}

// flushEmpty appends the held run of empty intervals, if any, as one line:
// the range it covers and "no requests".
func (r *Renderer) flushEmpty(b []byte) []byte {
	e := &r.empty
	if e.n == 0 {
		return b
	}
	if r.last == shapeBlock {
		b = append(b, '\n')
	}
	s := e.first
	if e.n > 1 {
		s.End, s.Partial = e.end, false
	}
	b = r.appendRange(b, &s)
	b = append(b, "  no requests"...)
	if e.late != 0 {
		b = append(b, "  late "...)
		b = strconv.AppendInt(b, e.late, 10)
	}
	b = append(b, '\n')
	*e = emptyRun{}
	r.last = shapeLine
	return b
}

// Flush writes the run of empty intervals that the renderer holds back in
// case the next interval is empty too. The caller flushes at the end of
// input; every other record flushes it before it is written.
func (r *Renderer) Flush() error {
	if r.empty.n == 0 {
		return nil
	}
	r.buf = r.flushEmpty(r.buf[:0])
	_, err := r.w.Write(r.buf)
	return err
}

// Idle tells the renderer that input has gone quiet. A run of empty
// intervals is written at the second call in a row, so that someone
// watching a live log that fell silent sees it within the caller's idle
// period, while a replay, whose input does not pause, still gets one line
// per run.
func (r *Renderer) Idle() error {
	if r.empty.n == 0 {
		return nil
	}
	if !r.empty.held {
		r.empty.held = true
		return nil
	}
	return r.Flush()
}
