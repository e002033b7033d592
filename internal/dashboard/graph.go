package dashboard

import (
	"fmt"
	"strings"

	"github.com/httpmon/httpmon/internal/humane"
)

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
		humane.ShortDuration(secs), formatNum(st.threshold))
	out := []string{styleTitle.Render(title) + styleThreshold.Render("⠒⠒")}
	p := newPlot(st, secs, rows)
	var b strings.Builder
	for r := rows - 1; r >= 0; r-- {
		b.Reset()
		b.WriteString(styleFaint.Render(padLeft(p.label(r), axisWidth-1)))
		b.WriteByte(' ')
		p.row(&b, r)
		out = append(out, b.String())
	}
	left := "-" + humane.ShortDuration(secs)
	axis := strings.Repeat(" ", axisWidth) + left + strings.Repeat(" ", max(1, cols-len(left)-3)) + "now"
	return append(out, styleFaint.Render(axis))
}

// plot is the graph's seconds scaled to its dot rows.
type plot struct {
	rows      int
	scale     float64 // the value of the top dot row
	threshold float64
	thDot     int    // the threshold's dot row, 0 being the bottom one; -1 when none
	height    []int  // dots lit in each second's column
	over      []bool // the second is above the threshold
	run       cellRun
}

func newPlot(st *State, secs int64, rows int) *plot {
	p := &plot{rows: rows, threshold: st.threshold, thDot: -1,
		height: make([]int, secs), over: make([]bool, secs)}
	vals := make([]int64, secs)
	have := make([]bool, secs)
	var peak int64
	for i := range vals {
		vals[i], have[i] = st.HitsAt(st.last - (secs - 1 - int64(i)))
		peak = max(peak, vals[i])
	}
	p.scale = niceCeil(max(float64(peak), st.threshold*1.2, 1))
	if st.threshold > 0 {
		p.thDot = min(4*rows-1, max(0, p.level(st.threshold)-1))
	}
	for i, v := range vals {
		if have[i] {
			p.height[i] = p.level(float64(v))
			if v > 0 {
				p.height[i] = max(p.height[i], 1) // a second with traffic never looks empty
			}
		}
		p.over[i] = float64(v) > st.threshold && st.threshold > 0
	}
	return p
}

// level returns how many dots tall v is drawn.
func (p *plot) level(v float64) int { return int(v/p.scale*float64(4*p.rows) + 0.5) }

// label returns the axis label of row r, counted from the bottom.
func (p *plot) label(r int) string {
	switch {
	case r == p.rows-1:
		return formatNum(p.scale)
	case p.thDot >= 0 && r == p.thDot/4:
		return formatNum(p.threshold)
	case r == 0:
		return "0"
	}
	return ""
}

// row writes the cells of row r, counted from the bottom, to b.
func (p *plot) row(b *strings.Builder, r int) {
	p.run.start(b)
	for c := range len(p.height) / 2 {
		p.run.add(p.cell(c, r))
	}
	p.run.flush()
}

// cell returns the braille cell of column c in row r and its style.
func (p *plot) cell(c, r int) (rune, int) {
	var dots rune
	style := cellEmpty
	for side := range 2 {
		i := 2*c + side
		for k := range 4 {
			d := 4*r + k
			switch {
			case d < p.height[i]:
				dots |= brailleDots[side][k]
				if p.over[i] {
					style = max(style, cellOver)
				} else {
					style = max(style, cellBar)
				}
			case d == p.thDot && side == 0:
				// The left dot of each cell only: a dotted line, distinct from bars
				// even without colour.
				dots |= brailleDots[side][k]
				style = max(style, cellThreshold)
			}
		}
	}
	if dots == 0 {
		return ' ', style
	}
	return 0x2800 + dots, style
}

// cellRun writes the cells of a row with one style sequence for each run of
// cells of the same style, not one for each cell.
type cellRun struct {
	b     *strings.Builder
	cells []rune
	style int
}

func (cr *cellRun) start(b *strings.Builder) {
	cr.b, cr.cells, cr.style = b, cr.cells[:0], cellEmpty
}

func (cr *cellRun) add(cell rune, style int) {
	if style != cr.style {
		cr.flush()
		cr.style = style
	}
	cr.cells = append(cr.cells, cell)
}

func (cr *cellRun) flush() {
	if len(cr.cells) == 0 {
		return
	}
	switch cr.style {
	case cellEmpty:
		cr.b.WriteString(string(cr.cells))
	case cellThreshold:
		cr.b.WriteString(styleThreshold.Render(string(cr.cells)))
	case cellBar:
		cr.b.WriteString(styleBar.Render(string(cr.cells)))
	case cellOver:
		cr.b.WriteString(styleBarOver.Render(string(cr.cells)))
	}
	cr.cells = cr.cells[:0]
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
