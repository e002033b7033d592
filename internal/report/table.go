package report

import (
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

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
