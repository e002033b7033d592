package report

import (
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// none and dash stand for a section key and a path that are empty, which
// would otherwise be invisible cells: a request line without a path.
var none, dash = []byte("(none)"), []byte("-")

// The columns of the sections table, indexes into sectionColumns.
const (
	colSection = iota
	colHits
	col4xx
	col5xx
	colPath
	colSize
	numColumns
)

// column describes one column of the sections table. The one list of them
// sets both the widths and the cells, so that the two cannot disagree.
type column struct {
	// head is the heading; an empty one leaves the column under the one
	// before's. The heading of a wide column runs on over the next ones,
	// up to the margin, and does not widen its own.
	head string
	wide bool
	gap  int // spaces before the column; the first one's is the indent
	// A column shows either text, sanitized and aligned left, or a
	// number, aligned right and, with color, coloured when not zero.
	text  func(st *event.SectionStat) []byte
	num   func(st *event.SectionStat) int64
	size  bool // the number is a size in bytes
	color string
}

// sectionColumns are the columns of the sections table; path and size
// share one space, as they read as one cell.
var sectionColumns = [numColumns]column{
	colSection: {head: "section", gap: 2, text: func(st *event.SectionStat) []byte { return section(st.Section) }},
	colHits:    {head: "hits", gap: 2, num: func(st *event.SectionStat) int64 { return st.Hits }},
	col4xx:     {head: "4xx", gap: 2, num: func(st *event.SectionStat) int64 { return st.Errors4x }, color: sgrYellow},
	col5xx:     {head: "5xx", gap: 2, num: func(st *event.SectionStat) int64 { return st.Errors5x }, color: sgrRed},
	colPath:    {head: "heaviest document", wide: true, gap: 2, text: topPath},
	colSize:    {gap: 1, num: func(st *event.SectionStat) int64 { return st.TopBytes }, size: true},
}

// topPath returns the text shown for a section's heaviest document.
func topPath(st *event.SectionStat) []byte {
	if len(st.TopPath) == 0 {
		return dash
	}
	return st.TopPath
}

// appendSections appends the table of top sections. Column widths follow
// the data so that a typical table is narrow; when section and path do not
// both fit, paths give way first, as they are the long ones and their
// beginning says the most.
func (r *Renderer) appendSections(b []byte, s *event.Summary) []byte {
	if len(s.Sections) > 0 {
		w := r.widths(s.Sections)
		b = appendHeadings(b, &w)
		for i := range s.Sections {
			b = r.appendRow(b, &s.Sections[i], &w)
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

// widths returns the width of each column: the widest of its heading,
// unless that is wide, and its cells, with section and path cut down to
// what the margin leaves them.
func (r *Renderer) widths(secs []event.SectionStat) [numColumns]int {
	var w [numColumns]int
	for c := range sectionColumns {
		col := &sectionColumns[c]
		w[c] = 1
		if !col.wide {
			w[c] = max(w[c], len(col.head))
		}
		for i := range secs {
			w[c] = max(w[c], r.cellWidth(col, &secs[i]))
		}
	}
	avail := margin
	for c := range sectionColumns {
		avail -= sectionColumns[c].gap
		if c != colSection && c != colPath {
			avail -= w[c]
		}
	}
	if secW, pathW := w[colSection], w[colPath]; secW+pathW > avail {
		secW = min(secW, max(avail-pathW, min(20, avail/2)))
		w[colPath] = max(1, avail-secW)
		w[colSection] = max(1, secW)
	}
	return w
}

// cellWidth returns the columns that st's cell of col takes.
func (r *Renderer) cellWidth(col *column, st *event.SectionStat) int {
	if col.text != nil {
		return textsafe.Width(col.text(st))
	}
	if col.size {
		r.tmp = humane.AppendBytes(r.tmp[:0], col.num(st))
		return len(r.tmp)
	}
	return digits(col.num(st))
}

// appendHeadings appends the headings line; a wide heading is cut at the
// margin.
func appendHeadings(b []byte, w *[numColumns]int) []byte {
	used := 0
	for c := range sectionColumns {
		col := &sectionColumns[c]
		if col.head == "" {
			continue
		}
		b = appendSpaces(b, col.gap)
		used += col.gap
		switch {
		case col.wide:
			b, _ = textsafe.AppendCell(b, []byte(col.head), margin-used)
		case col.text != nil:
			b = appendPadRight(b, []byte(col.head), w[c])
		default:
			b = appendPadLeft(b, []byte(col.head), w[c])
		}
		used += w[c]
	}
	return append(b, '\n')
}

// appendRow appends the line of one section.
func (r *Renderer) appendRow(b []byte, st *event.SectionStat, w *[numColumns]int) []byte {
	for c := range sectionColumns {
		col := &sectionColumns[c]
		b = appendSpaces(b, col.gap)
		if col.text != nil {
			b = appendPadRight(b, col.text(st), w[c])
			continue
		}
		n := col.num(st)
		if col.size {
			r.tmp = humane.AppendBytes(r.tmp[:0], n)
		} else {
			r.tmp = strconv.AppendInt(r.tmp[:0], n, 10)
		}
		b = appendSpaces(b, w[c]-len(r.tmp))
		// Errors stand out, so that the eye finds them without reading
		// every row; the padding stays outside the colour so that
		// alignment does not depend on it.
		if col.color == "" || n == 0 {
			b = append(b, r.tmp...)
			continue
		}
		b = r.sgr(b, col.color)
		b = append(b, r.tmp...)
		b = r.sgr(b, sgrReset)
	}
	return append(b, '\n')
}

// section returns the text shown for a section key.
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
