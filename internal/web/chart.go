package web

import (
	"math"
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// Chart geometry, in SVG user units: the plot area starts at (plotLeft,
// plotTop) and is plotW by plotH. live.js reads these from the svg's data
// attributes, so that its redraw matches the server's.
const (
	plotLeft = 56
	plotTop  = 10
	plotW    = 720
	plotH    = 160
	chartW   = plotLeft + plotW + 10
	chartH   = plotTop + plotH + 24
)

// chart is one graph of the page: lines over time with their axes.
type chart struct {
	ID     string
	Title  string
	W, H   int
	Left   int
	Top    int
	PlotW  int
	PlotH  int
	YMax   float64 // the value at the top of the plot
	Lines  []chartLine
	YTicks []axisTick
	XTicks []axisTick
	Live   bool
	Unit   string
	// Empty says that no value of the range is above zero: the plot says
	// so rather than draw a flat line that looks like a quiet site.
	Empty bool
}

// chartLine is one series of a chart. Points is the polyline of a series
// with a value at every step; Path draws one with gaps (latency, where a
// step without request times has no value).
type chartLine struct {
	Class  string
	Label  string
	Points string
	Path   string
	Gaps   bool // draw as a path even without gaps
	N      int  // points drawn
}

// axisTick is one labelled position of an axis.
type axisTick struct {
	Pos    float64
	Label  string
	Anchor string // text-anchor of a time label: the ends stay inside the plot
}

// newChart returns a chart of the given values (one slice per line, one
// value per step, NaN for no value) over the steps of s.
func newChart(id, title, unit string, s *history.Series, zone *time.Location, lines []chartLine, values [][]float64) chart {
	c := chart{ID: id, Title: title, Unit: unit, W: chartW, H: chartH, Left: plotLeft, Top: plotTop, PlotW: plotW, PlotH: plotH}
	top := 0.0
	for _, vs := range values {
		for _, v := range vs {
			if v > top {
				top = v
			}
		}
	}
	c.YMax = niceCeil(top)
	c.Empty = !(top > 0)
	n := len(s.Points)
	for i := range lines {
		vs := values[i]
		var buf []byte
		gappy := lines[i].Gaps || hasNaN(vs)
		pen := false
		for j, v := range vs {
			if math.IsNaN(v) {
				pen = false
				continue
			}
			x, y := c.xy(j, n, v)
			if gappy {
				if pen {
					buf = append(buf, 'L')
				} else {
					buf = append(buf, 'M')
				}
			} else if j > 0 {
				buf = append(buf, ' ')
			}
			buf = strconv.AppendFloat(buf, x, 'f', 1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, y, 'f', 1, 64)
			pen = true
			lines[i].N++
		}
		if gappy {
			lines[i].Path, lines[i].Points = string(buf), ""
		} else {
			lines[i].Points = string(buf)
		}
	}
	c.Lines = lines
	for k := 0; k <= 2; k++ {
		v := c.YMax * float64(k) / 2
		c.YTicks = append(c.YTicks, axisTick{Pos: float64(plotTop) + float64(plotH)*(1-float64(k)/2), Label: formatValue(v, unit)})
	}
	c.XTicks = timeTicks(s, zone)
	return c
}

// xy places value v of step j of n.
func (c *chart) xy(j, n int, v float64) (float64, float64) {
	x := float64(plotLeft)
	if n > 1 {
		x += float64(plotW) * float64(j) / float64(n-1)
	}
	y := float64(plotTop + plotH)
	if c.YMax > 0 {
		y -= float64(plotH) * v / c.YMax
	}
	return x, y
}

func hasNaN(vs []float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}

// niceSteps are the mantissas of the top of an axis: round numbers, close
// enough together that a graph fills most of its height. live.js has the
// same list.
var niceSteps = []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}

// niceCeil rounds v up to a niceSteps mantissa times a power of ten, so
// that the axis reads in round numbers; 1 for nothing at all.
func niceCeil(v float64) float64 {
	if !(v > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range niceSteps {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// tickSteps are the spacings of the time axis' labels, in seconds: round
// times of the log's clock. live.js has the same list.
var tickSteps = []int64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
	86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400}

// maxTimeTicks is the most labels of a time axis: room for "Jan 2 15:04"
// between them.
const maxTimeTicks = 7

// timeTicks labels the round instants of s's steps in the log's zone, at
// most maxTimeTicks of them, placed where the charts draw those instants.
func timeTicks(s *history.Series, zone *time.Location) []axisTick {
	n := len(s.Points)
	if n == 0 {
		return nil
	}
	first, last := s.Points[0].TS, s.Points[n-1].TS
	if n == 1 || last <= first {
		return []axisTick{{Pos: plotLeft, Label: time.Unix(first, 0).In(zone).Format("15:04:05"), Anchor: "start"}}
	}
	span := last - first
	step := tickSteps[len(tickSteps)-1]
	for _, st := range tickSteps {
		if span/st < maxTimeTicks {
			step = st
			break
		}
	}
	layout := tickLayout(step, span)
	_, off := time.Unix(first, 0).In(zone).Zone()
	var ts []axisTick
	for t := ceilTo(first+int64(off), step) - int64(off); t <= last; t += step {
		x := float64(plotLeft) + float64(plotW)*float64(t-first)/float64(span)
		// The ends stay inside the plot.
		anchor := "middle"
		switch {
		case x-plotLeft < 24:
			anchor = "start"
		case plotLeft+plotW-x < 24:
			anchor = "end"
		}
		ts = append(ts, axisTick{Pos: x, Label: time.Unix(t, 0).In(zone).Format(layout), Anchor: anchor})
	}
	return ts
}

// tickLayout is the format of time labels step apart over span seconds:
// the date once labels are days apart or the range spans more than one.
func tickLayout(step, span int64) string {
	switch {
	case step >= 86400:
		return "Jan 2"
	case span > 86400:
		return "Jan 2 15:04"
	case step >= 60:
		return "15:04"
	}
	return "15:04:05"
}

// ceilTo rounds t up to a multiple of step.
func ceilTo(t, step int64) int64 {
	m := t % step
	if m < 0 {
		m += step
	}
	if m == 0 {
		return t
	}
	return t - m + step
}

// formatValue writes an axis value in its unit.
func formatValue(v float64, unit string) string {
	if unit == "s" {
		return formatSeconds(v)
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// formatSeconds writes a duration of seconds the way people read request
// times: 250ms, 1.5s.
func formatSeconds(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1e-3:
		return strconv.FormatFloat(v*1e6, 'g', 3, 64) + "µs"
	case v < 1:
		return strconv.FormatFloat(v*1e3, 'g', 3, 64) + "ms"
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + "s"
}
