package report

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// DefaultTop is how many rows of each top list the totals block shows.
const DefaultTop = 10

// busiestHours is how many hours of the day the totals block lists: the
// peak and its neighbours say when to scale; the quiet ones say little.
const busiestHours = 5

// Totals renders the totals block of the whole run, GoAccess's one-screen
// answer in 80 columns: the range and totals, each status code, latency,
// the busiest hours and days, the top lists and the alerts still firing.
func (r *Renderer) Totals(t *Totals) error {
	b := r.flushEmpty(r.buf[:0])
	if r.last != shapeNone {
		b = append(b, '\n')
	}
	loc := r.zone(t.UTCOffset)
	b = r.sgr(b, sgrBold)
	b = append(b, "whole run "...)
	start, end := time.Unix(t.Start, 0).In(loc), time.Unix(t.End, 0).In(loc)
	b = start.AppendFormat(b, time.DateTime)
	b = append(b, " → "...)
	if sameDay(start, end) {
		b = end.AppendFormat(b, time.TimeOnly)
	} else {
		b = end.AppendFormat(b, time.DateTime)
	}
	b = end.AppendFormat(b, " -0700")
	b = r.sgr(b, sgrReset)
	b = append(b, " ("...)
	b = humane.AppendDuration(b, t.Seconds)
	b = append(b, " observed)\n"...)

	b = r.appendWholeTotals(b, t)
	b = r.appendCodes(b, t)
	if t.Latency.Count > 0 {
		b = append(b, "  latency"...)
		for i, v := range [...]float64{t.Latency.P50, t.Latency.P90, t.Latency.P99, t.Latency.Max} {
			b = append(b, "  "...)
			b = append(b, latencyHeads[i]...)
			b = append(b, ' ')
			b = humane.AppendSeconds(b, v)
		}
		b = append(b, "  of "...)
		b = strconv.AppendInt(b, t.Latency.Count, 10)
		b = append(b, " timed\n"...)
	}
	b = r.appendHours(b, t)
	b = r.appendDays(b, t)
	for l := range t.Lists {
		b = r.appendList(b, listHeads[l], t.Lists[l], t.Approx[l])
	}
	b = r.appendStillFiring(b)
	r.last = shapeBlock
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// appendWholeTotals appends the line of the run's totals, with a rate
// that keeps its significant digits over a quiet run.
func (r *Renderer) appendWholeTotals(b []byte, t *Totals) []byte {
	s := event.Summary{Hits: t.Hits, Bytes: t.Bytes, Status: t.Status, Late: t.Late}
	secs := t.Seconds
	if secs <= 0 {
		secs = t.End - t.Start
	}
	if secs > 0 {
		s.RPS = float64(t.Hits) / float64(secs)
	}
	return r.appendTotals(b, &s)
}

// appendCodes appends every status code with its count, wrapped at the
// margin.
func (r *Renderer) appendCodes(b []byte, t *Totals) []byte {
	if len(t.Codes) == 0 {
		return b
	}
	const head = "  codes"
	b = append(b, head...)
	col := len(head)
	for _, c := range t.Codes {
		r.tmp = textsafe.Append(r.tmp[:0], c.Key)
		r.tmp = append(r.tmp, ' ')
		r.tmp = strconv.AppendInt(r.tmp, c.Hits, 10)
		if col+2+len(r.tmp) > margin {
			b = append(b, "\n       "...)
			col = len(head)
		}
		b = append(b, "  "...)
		b = append(b, r.tmp...)
		col += 2 + len(r.tmp)
	}
	return append(b, '\n')
}

// appendHours appends the busiest hours of the day, busiest first, each as
// the hour it starts in the log's own zone.
func (r *Renderer) appendHours(b []byte, t *Totals) []byte {
	if !t.HasHours {
		return b
	}
	var order [24]int
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order[:], func(x, y int) int { return cmp.Compare(t.Hours[y], t.Hours[x]) })
	start := len(b)
	b = append(b, "  busiest hours"...)
	for _, h := range order[:busiestHours] {
		if t.Hours[h] == 0 {
			break
		}
		b = append(b, "  "...)
		if h < 10 {
			b = append(b, '0')
		}
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, ":00 "...)
		b = strconv.AppendInt(b, t.Hours[h], 10)
	}
	if len(b) == start+len("  busiest hours") {
		return b[:start]
	}
	return append(b, '\n')
}

// appendDays appends the busiest days as a top list, and how many days
// the run had, which the list alone does not say when it is cut.
func (r *Renderer) appendDays(b []byte, t *Totals) []byte {
	if len(t.Days) == 0 {
		return b
	}
	days := slices.Clone(t.Days)
	slices.SortStableFunc(days, func(x, y Entry) int { return cmp.Compare(y.Hits, x.Hits) })
	head := "busiest day"
	if n := int64(len(t.Days)) + t.DaysDropped; n > 1 {
		head = "busiest days of " + strconv.FormatInt(n, 10)
	}
	return r.appendList(b, head, days, 0)
}

// appendList appends one top list as a table: hits and bytes right-aligned,
// then the key, last so that a long one runs on without breaking the
// alignment. Keys are cut to the margin only when the output is a
// terminal; in a file or a mail they are whole.
func (r *Renderer) appendList(b []byte, head string, es []Entry, approx int64) []byte {
	if len(es) == 0 {
		return b
	}
	if len(es) > r.top {
		es = es[:r.top]
	}
	hitsW, bytesW := len("hits"), len("bytes")
	for _, e := range es {
		hitsW = max(hitsW, digits(e.Hits))
		r.tmp = humane.AppendBytes(r.tmp[:0], e.Bytes)
		bytesW = max(bytesW, len(r.tmp))
	}
	b = append(b, '\n')
	b = appendSpaces(b, 2+hitsW-len("hits"))
	b = append(b, "hits"...)
	b = appendSpaces(b, 2+bytesW-len("bytes"))
	b = append(b, "bytes  "...)
	b = append(b, head...)
	b = append(b, '\n')
	keyW := margin - (2 + hitsW + 2 + bytesW + 2)
	for _, e := range es {
		r.tmp = strconv.AppendInt(r.tmp[:0], e.Hits, 10)
		b = appendSpaces(b, 2+hitsW-len(r.tmp))
		b = append(b, r.tmp...)
		r.tmp = humane.AppendBytes(r.tmp[:0], e.Bytes)
		b = appendSpaces(b, 2+bytesW-len(r.tmp))
		b = append(b, r.tmp...)
		b = append(b, "  "...)
		key := e.Key
		if len(key) == 0 {
			key = none
		}
		if r.cut {
			b, _ = textsafe.AppendCell(b, key, max(keyW, 8))
		} else {
			b = textsafe.Append(b, key)
		}
		b = append(b, '\n')
	}
	if approx > 0 {
		b = append(b, "  too many to count exactly: hits may be up to "...)
		b = strconv.AppendInt(b, approx, 10)
		b = append(b, " too high\n"...)
	}
	return b
}
