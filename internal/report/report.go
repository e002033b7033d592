// Package report renders httpmon summaries and alerts as text for a person:
// an operator watching a terminal, a file that is tailed later, or the mail
// cron sends. Summaries fit in 80 columns; alert lines keep a fixed wording
// so that they can be grepped. Everything that came from the log is passed
// through textsafe.Append, because log data is attacker-controlled and the output
// goes straight to a terminal.
package report

import (
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Options configure a Renderer.
type Options struct {
	// Color makes the output use ANSI colour and bold. The caller decides,
	// from --color auto|always|never, isatty and NO_COLOR, because only it
	// knows where the output goes.
	Color bool
}

// Renderer writes summaries and alerts to an io.Writer, one Write call per
// record, so the caller's buffering decides when text reaches the screen.
// A Renderer remembers what it wrote last, to separate blocks by blank
// lines; it is not safe for concurrent use.
type Renderer struct {
	w     io.Writer
	color bool
	buf   []byte // the record being rendered, reused
	tmp   []byte // one number or cell being measured, reused
	loc   *time.Location
	off   int32 // UTC offset that loc was made for
	last  int   // the shape of the previous record, for spacing
}

// Shapes of a rendered record; a multi-line block gets a blank line around
// it, one-line records (alerts, empty intervals) stack without one.
const (
	shapeNone = iota
	shapeLine
	shapeBlock
)

// margin is the right margin of summaries: the classic terminal, and a
// line length that mail clients do not rewrap.
const margin = 80

// SGR sequences; the renderer writes no other escape sequences.
const (
	sgrReset   = "\x1b[0m"
	sgrBold    = "\x1b[1m"
	sgrRedBold = "\x1b[1;31m"
	sgrRed     = "\x1b[31m"
	sgrGreen   = "\x1b[32m"
	sgrYellow  = "\x1b[33m"
)

const alertLayout = "2006-01-02 15:04:05 -0700"

// New returns a Renderer that writes to w.
func New(w io.Writer, opt Options) *Renderer {
	return &Renderer{w: w, color: opt.Color}
}

// Summary renders one interval: a bold header with its time range, a line
// of totals and a table of the top sections. An interval without requests
// is a single line, so that a quiet night does not scroll pages of empty
// tables past the operator.
func (r *Renderer) Summary(s *event.Summary) error {
	b := r.buf[:0]
	if s.Hits == 0 {
		if r.last == shapeBlock {
			b = append(b, '\n')
		}
		b = r.appendRange(b, s)
		b = append(b, "  no requests"...)
		if s.Late != 0 {
			b = append(b, "  late "...)
			b = strconv.AppendInt(b, s.Late, 10)
		}
		b = append(b, '\n')
		r.last = shapeLine
	} else {
		if r.last != shapeNone {
			b = append(b, '\n')
		}
		b = r.sgr(b, sgrBold)
		b = r.appendRange(b, s)
		b = r.sgr(b, sgrReset)
		b = append(b, '\n')
		b = r.appendTotals(b, s)
		b = r.appendSections(b, s)
		r.last = shapeBlock
	}
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

// Alert renders a rule's transition as one line in the fixed wording that
// people and scripts grep for, followed by an indented line with what is
// behind it. The high-traffic rule of protocol v1 keeps its v1 lines:
//
//	High traffic generated an alert - hits = 1206, triggered at 2019-02-07 21:12:36 +0000
//	  rate 10.05 req/s over 2m0s, threshold 10 req/s
//
// Other rules show their metric's value where v1 has hits, and the rule
// with its labels:
//
//	api_errors generated an alert - 5xx_ratio = 7.5%, triggered at 2019-02-07 21:12:36 +0000
//	  rule 5xx_ratio > 5% over 5m0s, 312 requests; section=/api
//	api_errors alert recovered - 5xx_ratio = 1.25%, recovered at 2019-02-07 21:14:03 +0000
//	  rule 5xx_ratio > 5% over 5m0s, 320 requests; fired for 1m27s; section=/api
func (r *Renderer) Alert(a *event.Alert) error {
	classic := classicAlert(a)
	b := r.buf[:0]
	if r.last == shapeBlock {
		b = append(b, '\n')
	}
	state := string(a.State)
	var at string
	switch state {
	case event.StateFiring:
		b = r.sgr(b, sgrRedBold)
		b = appendRuleName(b, a.Name)
		b = append(b, " generated an alert - "...)
		at = ", triggered at "
	case event.StateResolved:
		b = r.sgr(b, sgrGreen)
		b = appendRuleName(b, a.Name)
		b = append(b, " alert recovered - "...)
		at = ", recovered at "
	default:
		// A state from a newer protocol version: still show it, uncoloured,
		// rather than drop an alert.
		b = appendRuleName(b, a.Name)
		b = append(b, " alert "...)
		b = textsafe.Append(b, a.State)
		b = append(b, " - "...)
		at = ", at "
	}
	if classic {
		b = append(b, "hits = "...)
		b = strconv.AppendInt(b, a.Hits, 10)
	} else {
		b = textsafe.Append(b, a.Metric)
		b = append(b, " = "...)
		b = appendMetric(b, a.Metric, a.Value)
	}
	b = append(b, at...)
	b = time.Unix(a.TS, 0).In(r.zone(a.UTCOffset)).AppendFormat(b, alertLayout)
	switch state {
	case event.StateFiring, event.StateResolved:
		b = r.sgr(b, sgrReset)
	}
	b = append(b, '\n')
	if classic {
		b = appendRate(b, a)
	} else {
		b = appendRule(b, a)
	}
	r.last = shapeLine
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

// classicAlert reports whether a is the high-traffic rule of protocol v1,
// whose lines keep their v1 wording: a record without a metric, or one of
// the same rule, "hits/s > threshold", with no labels to show.
func classicAlert(a *event.Alert) bool {
	return len(a.Metric) == 0 ||
		(string(a.Metric) == "hits/s" && string(a.Op) == ">" && len(a.Labels) == 0 && a.For == 0 && a.KeepFiringFor == 0)
}

// appendRate appends the line under a v1 alert: hits alone do not say how
// close to the threshold the rule was; the rate does, without the reader
// doing the division.
func appendRate(b []byte, a *event.Alert) []byte {
	if a.Window <= 0 {
		return b
	}
	b = append(b, "  rate "...)
	b = appendFloat(b, a.Rate, 2)
	b = append(b, " req/s over "...)
	b = append(b, (time.Duration(a.Window) * time.Second).String()...)
	b = append(b, ", threshold "...)
	b = appendFloat(b, a.Threshold, -1)
	return append(b, " req/s\n"...)
}

// appendRule appends the line under the alert of any other rule: the rule,
// the requests behind the value, how long it fired, and its labels.
func appendRule(b []byte, a *event.Alert) []byte {
	b = append(b, "  rule "...)
	b = textsafe.Append(b, a.Metric)
	b = append(b, ' ')
	b = textsafe.Append(b, a.Op)
	b = append(b, ' ')
	b = appendMetric(b, a.Metric, a.Threshold)
	b = append(b, " over "...)
	b = append(b, (time.Duration(a.Window) * time.Second).String()...)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, a.Hits, 10)
	if a.Hits == 1 {
		b = append(b, " request"...)
	} else {
		b = append(b, " requests"...)
	}
	if string(a.State) == event.StateResolved && a.EndsAt >= a.StartsAt && a.StartsAt != 0 {
		b = append(b, "; fired for "...)
		b = append(b, (time.Duration(a.EndsAt-a.StartsAt) * time.Second).String()...)
	}
	for i, l := range a.Labels {
		if i == 0 {
			b = append(b, "; "...)
		} else {
			b = append(b, ' ')
		}
		b = textsafe.Append(b, l.Name)
		b = append(b, '=')
		b = textsafe.Append(b, l.Value)
	}
	return append(b, '\n')
}

// appendMetric appends a value of a metric in its unit: ratios as
// percentages, rates with two decimals, counts whole.
func appendMetric(b, metric []byte, v float64) []byte {
	m := string(metric)
	switch {
	case strings.HasSuffix(m, "_ratio"):
		b = strconv.AppendFloat(b, math.Round(v*1e4)/1e2, 'f', -1, 64)
		return append(b, '%')
	case strings.HasSuffix(m, "/s"):
		return strconv.AppendFloat(b, math.Round(v*100)/100, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendRuleName appends the name people know the default rule by, and
// any other rule's own name, sanitized.
func appendRuleName(b, name []byte) []byte {
	switch string(name) {
	case "high_traffic":
		return append(b, "High traffic"...)
	case "":
		return append(b, "(unnamed)"...)
	}
	return textsafe.Append(b, name)
}

// sgr appends an SGR sequence when colour is on.
func (r *Renderer) sgr(b []byte, seq string) []byte {
	if !r.color {
		return b
	}
	return append(b, seq...)
}

// zone returns the log's own time zone; it is cached because FixedZone
// allocates and a stream almost never changes offset.
func (r *Renderer) zone(off int32) *time.Location {
	if r.loc == nil || off != r.off {
		r.loc = time.FixedZone("", int(off))
		r.off = off
	}
	return r.loc
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
		b = append(b, (time.Duration(s.Seconds) * time.Second).String()...)
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

	r.tmp = appendFloat(r.tmp[:0], s.RPS, 1)
	r.tmp = append(r.tmp, " req/s"...)
	b, col = r.appendGroup(b, col, "")

	r.tmp = appendBytes(r.tmp[:0], s.Bytes)
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
		if class == event.ClassOther {
			r.tmp = append(r.tmp[:0], "other "...)
		} else {
			r.tmp = append(r.tmp[:0], byte('1'+class), 'x', 'x', ' ')
		}
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

var none = []byte("(none)")

// Column headings of the sections table.
const (
	headSection = "section"
	headHits    = "hits"
	head4xx     = "4xx"
	head5xx     = "5xx"
	headDoc     = "heaviest document"
)

// appendSections appends the table of top sections. Column widths follow
// the data so that a typical table is narrow; when section and path do not
// both fit, paths give way first, as they are the long ones and their
// beginning says the most.
func (r *Renderer) appendSections(b []byte, s *event.Summary) []byte {
	if len(s.Sections) > 0 {
		secW, hitsW, e4W, e5W := len(headSection), len(headHits), len(head4xx), len(head5xx)
		pathW, sizeW := 1, 1
		for i := range s.Sections {
			st := &s.Sections[i]
			secW = max(secW, textsafe.Width(section(st.Section)))
			pathW = max(pathW, textsafe.Width(st.TopPath))
			hitsW = max(hitsW, digits(st.Hits))
			e4W = max(e4W, digits(st.Errors4x))
			e5W = max(e5W, digits(st.Errors5x))
			r.tmp = appendBytes(r.tmp[:0], st.TopBytes)
			sizeW = max(sizeW, len(r.tmp))
		}
		// Indent, the gaps between the six columns (path and size share one
		// space) and the fixed-width numeric columns.
		avail := margin - (2 + 2 + hitsW + 2 + e4W + 2 + e5W + 2 + 1 + sizeW)
		if secW+pathW > avail {
			secW = min(secW, max(avail-pathW, min(20, avail/2)))
			pathW = max(1, avail-secW)
			secW = max(1, secW)
		}
		// The last heading may run past the path and size columns, which
		// are often narrower than it, but not past the margin.
		docW := margin - (2 + secW + 2 + hitsW + 2 + e4W + 2 + e5W + 2)

		b = append(b, "  "...)
		b = appendPadRight(b, []byte(headSection), secW)
		b = append(b, "  "...)
		b = appendPadLeft(b, []byte(headHits), hitsW)
		b = append(b, "  "...)
		b = appendPadLeft(b, []byte(head4xx), e4W)
		b = append(b, "  "...)
		b = appendPadLeft(b, []byte(head5xx), e5W)
		b = append(b, "  "...)
		b, _ = textsafe.AppendCell(b, []byte(headDoc), docW)
		b = append(b, '\n')

		for i := range s.Sections {
			st := &s.Sections[i]
			b = append(b, "  "...)
			b = appendPadRight(b, section(st.Section), secW)
			b = append(b, "  "...)
			r.tmp = strconv.AppendInt(r.tmp[:0], st.Hits, 10)
			b = appendPadLeft(b, r.tmp, hitsW)
			b = append(b, "  "...)
			b = r.appendCount(b, st.Errors4x, e4W, sgrYellow)
			b = append(b, "  "...)
			b = r.appendCount(b, st.Errors5x, e5W, sgrRed)
			b = append(b, "  "...)
			path := st.TopPath
			if len(path) == 0 {
				path = []byte("-")
			}
			b = appendPadRight(b, path, pathW)
			b = append(b, ' ')
			r.tmp = appendBytes(r.tmp[:0], st.TopBytes)
			b = appendPadLeft(b, r.tmp, sizeW)
			b = append(b, '\n')
		}
	}
	if more := s.SectionsTotal - int64(len(s.Sections)); more > 0 {
		b = append(b, "  … and "...)
		if s.SectionsApprox {
			b = append(b, "about "...)
		}
		b = strconv.AppendInt(b, more, 10)
		if more == 1 {
			b = append(b, " more section\n"...)
		} else {
			b = append(b, " more sections\n"...)
		}
	}
	if s.SectionsApprox {
		b = append(b, "  too many sections to count exactly: hits may be up to "...)
		b = strconv.AppendInt(b, s.SectionsError, 10)
		b = append(b, " too high\n"...)
	}
	return b
}

// appendCount appends a right-aligned error count, coloured when non-zero
// so that the eye finds errors without reading every row; the padding stays
// outside the colour so that alignment does not depend on it.
func (r *Renderer) appendCount(b []byte, n int64, w int, color string) []byte {
	r.tmp = strconv.AppendInt(r.tmp[:0], n, 10)
	b = appendSpaces(b, w-len(r.tmp))
	if n == 0 {
		return append(b, r.tmp...)
	}
	b = r.sgr(b, color)
	b = append(b, r.tmp...)
	return r.sgr(b, sgrReset)
}

// section returns the text shown for a section key; the empty key (a
// request line that had no path) would otherwise be an invisible cell.
func section(s []byte) []byte {
	if len(s) == 0 {
		return none
	}
	return s
}

// appendPadRight appends s sanitized, cut or padded to exactly w columns.
func appendPadRight(b, s []byte, w int) []byte {
	b, n := textsafe.AppendCell(b, s, w)
	return appendSpaces(b, w-n)
}

// appendPadLeft appends s, which is ASCII, right-aligned in w columns.
func appendPadLeft(b, s []byte, w int) []byte {
	b = appendSpaces(b, w-len(s))
	return append(b, s...)
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// digits returns the width of n in decimal.
func digits(n int64) int {
	w, u := 1, uint64(n)
	if n < 0 {
		w, u = 2, -u // in uint64 so that the most negative int64 negates
	}
	for ; u >= 10; u /= 10 {
		w++
	}
	return w
}

// appendFloat appends f with prec decimals, or as few as needed for -1.
func appendFloat(b []byte, f float64, prec int) []byte {
	return strconv.AppendFloat(b, f, 'f', prec, 64)
}

// appendBytes appends n as a size for people: whole bytes below 1 KiB,
// otherwise KiB, MiB or GiB with one decimal. Binary units because that is
// what du -h and ls -h show. The unit is chosen after rounding, so that
// 1048575 bytes reads "1.0 MiB" rather than "1024.0 KiB". Negative sizes
// mean "unknown" on the wire and are shown as "-".
func appendBytes(b []byte, n int64) []byte {
	if n < 0 {
		return append(b, '-')
	}
	if n < 1024 {
		b = strconv.AppendInt(b, n, 10)
		return append(b, " B"...)
	}
	units := [...]string{" KiB", " MiB", " GiB"}
	f := float64(n) / 1024
	u := 0
	for u < len(units)-1 && math.Round(f*10)/10 >= 1024 {
		f /= 1024
		u++
	}
	b = strconv.AppendFloat(b, f, 'f', 1, 64)
	return append(b, units[u]...)
}
