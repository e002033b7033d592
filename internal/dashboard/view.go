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

	"github.com/httpmon/httpmon/internal/event"
)

// Styles. Colour is dropped by the program's renderer when the terminal
// has none or NO_COLOR is set; bold and reverse video are kept, so what
// must stand out (a firing alert, server errors) still does.
var (
	styleTitle     = lipgloss.NewStyle().Bold(true)
	styleFaint     = lipgloss.NewStyle().Faint(true)
	styleBanner    = lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(lipgloss.Red)
	styleResolved  = lipgloss.NewStyle().Foreground(lipgloss.Green)
	styleErr5      = lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(lipgloss.Red)
	styleErr4      = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	styleBar       = lipgloss.NewStyle().Foreground(lipgloss.Cyan)
	styleBarOver   = lipgloss.NewStyle().Foreground(lipgloss.Red)
	styleThreshold = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	styleKey       = lipgloss.NewStyle().Bold(true)
	stylePaused    = lipgloss.NewStyle().Bold(true).Reverse(true)
)

// Smallest terminal the full layout is drawn on; below it the dashboard
// shows only the header, banners and footer.
const (
	minWidth  = 40
	minHeight = 14
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

// ui is the part of the model the view reads besides the state.
type ui struct {
	width, height int
	sort          SortKey
	scroll        int
	paused        bool
}

// render draws the whole screen: exactly one line per terminal row at
// most, none wider than the terminal.
func render(st *State, u ui) string {
	w, h := u.width, u.height
	var top, bottom []string
	top = append(top, header(st, w))
	top = append(top, banners(st, w)...)
	if n := noticeLine(st); n != "" {
		bottom = append(bottom, n)
	}
	bottom = append(bottom, footer(st, u, w))

	lines := top
	p, ok := layout(st, h-len(top)-len(bottom))
	if ok && w >= minWidth && h >= minHeight {
		lines = append(lines, body(st, u, p)...)
	} else if h > len(top)+len(bottom) {
		lines = append(lines, styleFaint.Render(fmt.Sprintf("(enlarge the terminal to at least %dx%d for the graph and tables)", minWidth, minHeight)))
	}
	for len(lines) < h-len(bottom) {
		lines = append(lines, "")
	}
	lines = append(lines, bottom...)
	if len(lines) > h {
		// The banners and footer matter more than the body's last rows.
		lines = append(lines[:max(0, h-len(bottom))], bottom...)
		lines = lines[:max(0, h)]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// plan is how many rows each part of the body gets.
type plan struct {
	graph, sections, alerts int
}

// bodyFixed counts the body's rows that are always there: the graph's
// title and axis, the two status lines, the sections' title and heading,
// and the alerts' title.
const bodyFixed = 1 + 1 + 2 + 2 + 1

// layout shares rem rows between the graph, the sections table and the
// alert history: the history gets up to a fifth, the graph two fifths of
// the rest, the table what is left; rows a part cannot use go to the
// others. ok is false when rem is too small for the body at all.
func layout(st *State, rem int) (p plan, ok bool) {
	avail := rem - bodyFixed
	hist := max(1, len(st.history))
	p.alerts = min(hist, max(1, avail/5))
	avail -= p.alerts
	if avail < 4 {
		return p, false
	}
	p.graph = min(max(3, avail*2/5), 16)
	p.sections = avail - p.graph
	want := 1
	if st.interval != nil {
		want = max(1, len(st.interval.Sections))
	}
	if p.sections > want {
		extra := p.sections - want
		p.sections = want
		g := min(p.graph+extra, 20)
		extra -= g - p.graph
		p.graph = g
		p.alerts += min(extra, hist-p.alerts)
	}
	return p, true
}

// bodyRows returns the rows left for the body once the header, banners
// and footer are drawn.
func bodyRows(st *State, h int) int {
	rows := h - 1 - len(banners(st, 1)) - 1
	if st.noticeCount > 0 {
		rows--
	}
	return rows
}

// body draws the graph, status classes, sections and alert history.
func body(st *State, u ui, p plan) []string {
	var out []string
	out = append(out, graph(st, u.width, p.graph)...)
	out = append(out, statusLines(st)...)
	out = append(out, sections(st, u, p.sections)...)
	out = append(out, alertHistory(st, p.alerts)...)
	return out
}

func header(st *State, w int) string {
	segs := []string{styleTitle.Render("httpmon")}
	if !st.haveTick {
		segs = append(segs, "waiting for records…")
	} else {
		segs = append(segs,
			formatTime(st.last, st.utcOffset, "2006-01-02 15:04:05 -0700"),
			"total "+strconv.FormatInt(st.total, 10),
		)
		if st.late > 0 {
			// Not in total: the window counted them in no second.
			segs = append(segs, "late "+strconv.FormatInt(st.late, 10))
		}
		segs = append(segs,
			"now "+strconv.FormatInt(st.lastHits, 10)+" req/s",
			"elapsed "+formatDuration(st.last-st.first+1),
		)
	}
	// Sources are known only from request records, which reach the
	// report when it reads a parser's output; summaries do not carry them.
	if n := len(st.sources); n > 0 {
		s := "sources " + strconv.Itoa(n)
		if st.moreSource {
			s += "+"
		}
		segs = append(segs, s)
	}
	if st.haveTick {
		segs = append(segs, formatDuration(st.window)+" avg "+strconv.FormatFloat(st.Average(), 'f', 1, 64)+" req/s")
	}
	return joinFitting(segs, "  ", w)
}

// joinFitting joins as many leading segments as fit in w columns.
func joinFitting(segs []string, sep string, w int) string {
	var b strings.Builder
	col := 0
	for i, s := range segs {
		sw := lipgloss.Width(s)
		if i > 0 {
			if col+len(sep)+sw > w {
				break
			}
			b.WriteString(sep)
			col += len(sep)
		}
		b.WriteString(s)
		col += sw
	}
	return b.String()
}

// banners returns one reverse-video line per rule firing now.
func banners(st *State, w int) []string {
	var out []string
	firing := st.Firing()
	for i, sp := range firing {
		if i == 2 && len(firing) > 3 {
			out = append(out, styleBanner.Render(padRight(fmt.Sprintf(" ▲ and %d more alerts firing", len(firing)-2), w)))
			break
		}
		text := fmt.Sprintf(" ▲ ALERT %s firing since %s", ruleName(sp.Name), formatTime(sp.FiredTS, sp.UTCOffset, time.TimeOnly))
		// Rules that are not about request rates may carry no hits or
		// window; what a record does not say is left out, not shown as 0.
		if sp.FiredHits > 0 || sp.Window > 0 {
			text += " - hits = " + strconv.FormatInt(sp.FiredHits, 10)
		}
		if sp.Window > 0 {
			text += ", " + strconv.FormatFloat(sp.Rate, 'f', 2, 64) + " req/s"
			if sp.Threshold > 0 {
				text += " > " + formatNum(sp.Threshold)
			}
		}
		out = append(out, styleBanner.Render(padRight(ansi.Truncate(text, w, "…"), w)))
	}
	return out
}

// ruleName is the name people know the default rule by, and any other
// rule's own name, which is sanitized already.
func ruleName(name string) string {
	switch name {
	case "high_traffic":
		return "High traffic"
	case "":
		return "(unnamed)"
	}
	return name
}

func footer(st *State, u ui, w int) string {
	keys := []string{
		styleKey.Render("q") + " quit",
		styleKey.Render("p") + " pause",
		styleKey.Render("s") + " sort:" + u.sort.String(),
		styleKey.Render("↑/↓") + " scroll",
	}
	var status []string
	if u.paused {
		status = append(status, stylePaused.Render("PAUSED"))
	}
	if st.ended {
		msg := "input ended, q to quit"
		if st.endErr != "" {
			msg = "input failed: " + st.endErr
		}
		status = append(status, styleTitle.Render(msg))
	}
	if st.malformed > 0 {
		status = append(status, styleErr4.Render(strconv.FormatInt(st.malformed, 10)+" malformed"))
	}
	left := strings.Join(keys, "  ")
	right := strings.Join(status, "  ")
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" {
		return left
	}
	if gap < 2 {
		// Status is what changes and what a person looks for; the key
		// help gives way.
		return right
	}
	return left + strings.Repeat(" ", gap) + right
}

const axisWidth = 6 // y-axis labels and their gap

// Braille dots of a cell, by column (left, right) and by dot row from the
// bottom: a cell is two seconds wide and four levels tall, so an 80-column
// terminal shows two and a half minutes, more than the alert's window.
var brailleDots = [2][4]rune{
	{0x40, 0x04, 0x02, 0x01},
	{0x80, 0x20, 0x10, 0x08},
}

// Cell styles of the graph, from least to most important: a cell takes
// the most important style of what it shows.
const (
	cellEmpty = iota
	cellThreshold
	cellBar
	cellOver
)

// graph draws requests per second, one dot column a second ending at the
// latest tick, rows tall, with the alert threshold as a dotted line.
func graph(st *State, w, rows int) []string {
	cols := max(1, w-axisWidth)
	secs := int64(2 * cols)
	title := fmt.Sprintf("Requests/s, last %s, one dot column a second; threshold %s req/s ",
		formatDuration(secs), formatNum(st.threshold))
	out := []string{styleTitle.Render(title) + styleThreshold.Render("⠒⠒")}
	levels := 4 * rows
	vals := make([]int64, secs)
	have := make([]bool, secs)
	var peak int64
	for i := range vals {
		vals[i], have[i] = st.HitsAt(st.last - (secs - 1 - int64(i)))
		peak = max(peak, vals[i])
	}
	scale := niceCeil(max(float64(peak), st.threshold*1.2, 1))
	level := func(v float64) int { return int(v/scale*float64(levels) + 0.5) }
	// The threshold's dot row, 0 being the bottom one; -1 when none.
	thDot := -1
	if st.threshold > 0 {
		thDot = min(levels-1, max(0, level(st.threshold)-1))
	}
	for r := rows - 1; r >= 0; r-- {
		label := ""
		switch {
		case r == rows-1:
			label = formatNum(scale)
		case thDot >= 0 && r == thDot/4:
			label = formatNum(st.threshold)
		case r == 0:
			label = "0"
		}
		var b strings.Builder
		b.WriteString(styleFaint.Render(padLeft(label, axisWidth-1)))
		b.WriteByte(' ')
		var run []rune
		runStyle := cellEmpty
		flush := func() {
			if len(run) == 0 {
				return
			}
			switch runStyle {
			case cellEmpty:
				b.WriteString(string(run))
			case cellThreshold:
				b.WriteString(styleThreshold.Render(string(run)))
			case cellBar:
				b.WriteString(styleBar.Render(string(run)))
			case cellOver:
				b.WriteString(styleBarOver.Render(string(run)))
			}
			run = run[:0]
		}
		for c := range cols {
			var dots rune
			style := cellEmpty
			for side := range 2 {
				i := 2*c + side
				n := 0
				if have[i] {
					n = level(float64(vals[i]))
					if vals[i] > 0 {
						n = max(n, 1) // a second with traffic never looks empty
					}
				}
				for k := range 4 {
					d := 4*r + k
					switch {
					case d < n:
						dots |= brailleDots[side][k]
						if float64(vals[i]) > st.threshold && st.threshold > 0 {
							style = max(style, cellOver)
						} else {
							style = max(style, cellBar)
						}
					case d == thDot && side == 0:
						// The left dot of each cell only: a dotted line, distinct from bars
						// even without colour.
						dots |= brailleDots[side][k]
						style = max(style, cellThreshold)
					}
				}
			}
			cell := ' '
			if dots != 0 {
				cell = 0x2800 + dots
			}
			if style != runStyle {
				flush()
				runStyle = style
			}
			run = append(run, cell)
		}
		flush()
		out = append(out, b.String())
	}
	left := "-" + formatDuration(secs)
	axis := strings.Repeat(" ", axisWidth) + left + strings.Repeat(" ", max(1, cols-len(left)-3)) + "now"
	return append(out, styleFaint.Render(axis))
}

// statusLines shows the status classes of the last interval and since
// start, with server errors in reverse video.
func statusLines(st *State) []string {
	line := func(label string, c *event.StatusCounts) string {
		var b strings.Builder
		b.WriteString(styleTitle.Render(padRight(label, 12)))
		for class := event.Class1xx; class < event.NumClasses; class++ {
			n := c[class]
			if (class == event.Class1xx || class == event.ClassOther) && n == 0 {
				continue
			}
			name := "other"
			if class != event.ClassOther {
				name = string(rune('1'+class)) + "xx"
			}
			cell := name + " " + strconv.FormatInt(n, 10)
			switch {
			case class == event.Class5xx && n > 0:
				cell = styleErr5.Render(cell)
			case class == event.Class4xx && n > 0:
				cell = styleErr4.Render(cell)
			}
			b.WriteString(padRight(cell, 13))
		}
		return b.String()
	}
	last := "no interval yet"
	if st.interval != nil {
		last = line("last "+formatDuration(st.interval.End-st.interval.Start), &st.interval.Status)
	} else {
		last = styleTitle.Render(padRight("last", 12)) + styleFaint.Render(last)
	}
	return []string{last, line("since start", &st.status)}
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
	title := fmt.Sprintf("Top sections %s → %s, by %s",
		formatTime(iv.Start, iv.UTCOffset, time.TimeOnly), formatTime(iv.End, iv.UTCOffset, time.TimeOnly), u.sort)
	if iv.Partial {
		title += " (partial)"
	}
	rowsAll := sortSections(iv.Sections, u.sort)
	scroll := min(u.scroll, max(0, len(rowsAll)-rows))
	shown := rowsAll[scroll:min(len(rowsAll), scroll+rows)]
	more := ""
	if scroll > 0 {
		more += fmt.Sprintf(" ↑%d", scroll)
	}
	if below := len(rowsAll) - scroll - len(shown); below > 0 {
		more += fmt.Sprintf(" ↓%d", below)
	}
	if extra := iv.SectionsTotal - int64(len(iv.Sections)); extra > 0 {
		more += fmt.Sprintf("  (+%d not listed)", extra)
	}
	out := []string{styleTitle.Render(title) + styleFaint.Render(more)}

	// Fixed numeric columns; section and document share what is left,
	// the document giving way first as its beginning says the most.
	const hitsW, bytesW, errW = 8, 11, 6
	flex := u.width - (hitsW + bytesW + 2*errW + 2)
	secW := min(max(12, flex/3), 24)
	for _, s := range rowsAll {
		secW = max(secW, min(lipgloss.Width(s.Name), flex/2))
	}
	secW = min(secW, flex/2)
	docW := max(8, flex-secW-2)
	head := padRight("section", secW) + padLeft("hits", hitsW) + padLeft("bytes", bytesW) +
		padLeft("4xx", errW) + padLeft("5xx", errW) + "  " + "heaviest document"
	out = append(out, styleFaint.Render(head))
	if len(rowsAll) == 0 {
		out = append(out, styleFaint.Render("no requests in the interval"))
	}
	for _, s := range shown {
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
		size := formatBytes(s.TopBytes)
		doc := ansi.Truncate(path, max(1, docW-len(size)-1), "…") + " " + size
		out = append(out, padRight(ansi.Truncate(name, secW-1, "…"), secW)+
			padLeft(strconv.FormatInt(s.Hits, 10), hitsW)+padLeft(formatBytes(s.Bytes), bytesW)+
			e4+e5+"  "+doc)
	}
	return out
}

// alertHistory lists alert spans, newest first, rows tall.
func alertHistory(st *State, rows int) []string {
	title := fmt.Sprintf("Alerts (%d)", len(st.history))
	if st.forgotten > 0 {
		title = fmt.Sprintf("Alerts (%d; %d older firing ones not kept)", len(st.history), st.forgotten)
	}
	out := []string{styleTitle.Render(title) + ruleList(st)}
	if len(st.history) == 0 {
		return append(out, styleFaint.Render("none so far"))
	}
	day := formatTime(st.last, st.utcOffset, time.DateOnly)
	at := func(ts int64, off int32) string {
		if formatTime(ts, off, time.DateOnly) != day {
			return formatTime(ts, off, "2006-01-02 15:04:05")
		}
		return formatTime(ts, off, time.TimeOnly)
	}
	for i := len(st.history) - 1; i >= 0 && len(out) <= rows; i-- {
		sp := st.history[i]
		hits := func(n int64) string {
			if n > 0 || sp.Window > 0 {
				return " hits = " + strconv.FormatInt(n, 10)
			}
			return ""
		}
		line := ruleName(sp.Name) + " (fired before input began)"
		if sp.Fired {
			line = ruleName(sp.Name) + " fired " + at(sp.FiredTS, sp.UTCOffset) + hits(sp.FiredHits)
		}
		if sp.Resolved {
			line += styleResolved.Render("  resolved " + at(sp.ResolvedTS, sp.UTCOffset) + hits(sp.ResolvedHits))
		} else {
			line = styleBanner.Render("FIRING") + " " + line
		}
		out = append(out, line)
	}
	return out
}

func formatTime(ts int64, off int32, layout string) string {
	return time.Unix(ts, 0).In(time.FixedZone("", int(off))).Format(layout)
}

// formatDuration writes whole seconds the short way: 45s, 2m, 1m14s, 1h2m.
// Hours leave out seconds, which no one reads at that scale.
func formatDuration(sec int64) string {
	if sec < 0 {
		return "-" + formatDuration(-sec)
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	var b []byte
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, 'h')
		if m > 0 {
			b = strconv.AppendInt(b, m, 10)
			b = append(b, 'm')
		}
		return string(b)
	}
	if m > 0 {
		b = strconv.AppendInt(b, m, 10)
		b = append(b, 'm')
	}
	if s > 0 || m == 0 {
		b = strconv.AppendInt(b, s, 10)
		b = append(b, 's')
	}
	return string(b)
}

// formatNum writes a threshold or axis value without needless decimals.
func formatNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// niceCeil rounds f up to 1, 2 or 5 times a power of ten, so the axis
// labels are round numbers.
func niceCeil(f float64) float64 {
	p := 1.0
	for p*10 <= f {
		p *= 10
	}
	for p > f*10 {
		p /= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= f {
			return m * p
		}
	}
	return 10 * p
}

// formatBytes writes a size for people, in binary units like du -h.
func formatBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n) / 1024
	for _, u := range []string{"KiB", "MiB", "GiB"} {
		if f < 1023.95 || u == "GiB" {
			return strconv.FormatFloat(f, 'f', 1, 64) + " " + u
		}
		f /= 1024
	}
	return ""
}

func padRight(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
