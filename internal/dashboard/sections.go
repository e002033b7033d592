package dashboard

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/httpmon/httpmon/internal/humane"
)

// SortKey orders the sections table.
type SortKey int

// Sort orders, in the order the s key cycles through them.
const (
	SortHits SortKey = iota
	SortBytes
	Sort4xx
	Sort5xx
	SortName
	numSortKeys
)

// String names the order as the footer and the table title show it.
func (k SortKey) String() string {
	return [...]string{"hits", "bytes", "4xx", "5xx", "name"}[k]
}

// sortSections returns the rows in the chosen order: counts descending,
// names ascending, ties by hits then name so that the order is stable.
func sortSections(in []Section, key SortKey) []Section {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b Section) int {
		var c int
		switch key {
		case SortHits:
			c = cmp.Compare(b.Hits, a.Hits)
		case SortBytes:
			c = cmp.Compare(b.Bytes, a.Bytes)
		case Sort4xx:
			c = cmp.Compare(b.Errors4x, a.Errors4x)
		case Sort5xx:
			c = cmp.Compare(b.Errors5x, a.Errors5x)
		case SortName:
			return cmp.Compare(a.Name, b.Name)
		}
		if c != 0 {
			return c
		}
		if c = cmp.Compare(b.Hits, a.Hits); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// maxScroll returns how far the sections table can scroll in rows.
func maxScroll(st *State, rows int) int {
	if st.interval == nil {
		return 0
	}
	return max(0, len(st.interval.Sections)-rows)
}

// sections draws the top sections of the last interval, rows tall, from
// the scroll offset.
func sections(st *State, u ui, rows int) []string {
	iv := st.interval
	if iv == nil {
		return []string{styleTitle.Render("Top sections"), styleFaint.Render("no summary yet; the first comes after one interval")}
	}
	all := sortSections(iv.Sections, u.sort)
	scroll := min(u.scroll, max(0, len(all)-rows))
	shown := all[scroll:min(len(all), scroll+rows)]
	cols := newSectionColumns(all, u.width)
	out := []string{
		sectionsTitle(iv, u.sort, scroll, len(all)-scroll-len(shown)),
		styleFaint.Render(cols.head()),
	}
	if len(all) == 0 {
		out = append(out, styleFaint.Render("no requests in the interval"))
	}
	for i := range shown {
		out = append(out, cols.row(&shown[i]))
	}
	return out
}

// sectionsTitle is the table's title: the interval, the order, and how many
// rows are scrolled out of sight above and below or not listed at all.
func sectionsTitle(iv *Interval, key SortKey, above, below int) string {
	title := fmt.Sprintf("Top sections %s → %s, by %s",
		formatTime(iv.Start, iv.UTCOffset, time.TimeOnly), formatTime(iv.End, iv.UTCOffset, time.TimeOnly), key)
	if iv.Whole {
		title = fmt.Sprintf("Top sections of the whole run %s → %s, by %s",
			formatTime(iv.Start, iv.UTCOffset, time.DateTime), formatTime(iv.End, iv.UTCOffset, time.DateTime), key)
	}
	if iv.Partial {
		title += " (partial)"
	}
	more := ""
	if above > 0 {
		more += fmt.Sprintf(" ↑%d", above)
	}
	if below > 0 {
		more += fmt.Sprintf(" ↓%d", below)
	}
	if extra := iv.SectionsTotal - int64(len(iv.Sections)); extra > 0 {
		more += fmt.Sprintf("  (+%d not listed)", extra)
	}
	return styleTitle.Render(title) + styleFaint.Render(more)
}

// Widths of the table's numeric columns.
const hitsW, bytesW, errW = 8, 11, 6

// sectionColumns are the widths of the table's text columns: section and
// document share what the fixed numeric columns leave, the document giving
// way first as its beginning says the most.
type sectionColumns struct{ sec, doc int }

func newSectionColumns(rows []Section, width int) sectionColumns {
	flex := width - (hitsW + bytesW + 2*errW + 2)
	secW := min(max(12, flex/3), 24)
	for _, s := range rows {
		secW = max(secW, min(lipgloss.Width(s.Name), flex/2))
	}
	secW = min(secW, flex/2)
	return sectionColumns{sec: secW, doc: max(8, flex-secW-2)}
}

func (c sectionColumns) head() string {
	return padRight("section", c.sec) + padLeft("hits", hitsW) + padLeft("bytes", bytesW) +
		padLeft("4xx", errW) + padLeft("5xx", errW) + "  " + "heaviest document"
}

// row draws one section, with client and server errors highlighted.
func (c sectionColumns) row(s *Section) string {
	if s.Errors4x < 0 {
		// A section of the whole run: its errors and documents are not
		// in the total record.
		return padRight(ansi.Truncate(orNone(s.Name), c.sec-1, "…"), c.sec) +
			padLeft(strconv.FormatInt(s.Hits, 10), hitsW) + padLeft(humane.Bytes(s.Bytes), bytesW) +
			padLeft("-", errW) + padLeft("-", errW) + "  -"
	}
	e4 := padLeft(strconv.FormatInt(s.Errors4x, 10), errW)
	if s.Errors4x > 0 {
		e4 = styleErr4.Render(e4)
	}
	e5 := padLeft(strconv.FormatInt(s.Errors5x, 10), errW)
	if s.Errors5x > 0 {
		e5 = strings.Repeat(" ", errW-len(strconv.FormatInt(s.Errors5x, 10))) + styleErr5.Render(strconv.FormatInt(s.Errors5x, 10))
	}
	name := s.Name
	if name == "" {
		name = "(none)"
	}
	path := s.TopPath
	if path == "" {
		path = "-"
	}
	size := humane.Bytes(s.TopBytes)
	doc := ansi.Truncate(path, max(1, c.doc-len(size)-1), "…") + " " + size
	return padRight(ansi.Truncate(name, c.sec-1, "…"), c.sec) +
		padLeft(strconv.FormatInt(s.Hits, 10), hitsW) + padLeft(humane.Bytes(s.Bytes), bytesW) +
		e4 + e5 + "  " + doc
}

func orNone(name string) string {
	if name == "" {
		return "(none)"
	}
	return name
}
