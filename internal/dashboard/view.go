package dashboard

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/httpmon/httpmon/internal/humane"
)

// Smallest terminal the full layout is drawn on; below it the dashboard
// shows only the header, banners and footer.
const (
	minWidth  = 40
	minHeight = 14
)

// ui is the part of the model the view reads besides the state.
type ui struct {
	width, height int
	sort          SortKey
	scroll        int
	paused        bool
	whole         bool // show the whole run, once known, not the last interval
}

// render draws the whole screen: exactly one line per terminal row at
// most, none wider than the terminal.
func render(st *State, u ui) string {
	st = st.view(u.whole)
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
	avail := rem - bodyFixed - len(latencyLines(st))
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
	out = append(out, latencyLines(st)...)
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
			"elapsed "+humane.ShortDuration(st.last-st.first+1),
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
		segs = append(segs, humane.ShortDuration(st.window)+" avg "+strconv.FormatFloat(st.Average(), 'f', 1, 64)+" req/s")
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

func footer(st *State, u ui, w int) string {
	keys := []string{
		styleKey.Render("q") + " quit",
		styleKey.Render("p") + " pause",
		styleKey.Render("s") + " sort:" + u.sort.String(),
		styleKey.Render("↑/↓") + " scroll",
	}
	if st.whole != nil {
		// Offered only once a total record came: before, there is no
		// whole run to show.
		view := "last"
		if st.interval == st.whole {
			view = "whole run"
		}
		keys = append(keys, styleKey.Render("t")+" view:"+view)
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
