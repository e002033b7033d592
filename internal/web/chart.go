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

// timeTicks labels about six instants of s's steps in the log's zone.
func timeTicks(s *history.Series, zone *time.Location) []axisTick {
	n := len(s.Points)
	if n == 0 {
		return nil
	}
	span := s.Points[n-1].TS - s.Points[0].TS
	layout := "15:04:05"
	switch {
	case span > 2*24*3600:
		layout = "Jan 2"
	case span > 6*3600:
		layout = "Jan 2 15:04"
	case span > 600:
		layout = "15:04"
	}
	const labels = 6
	var ts []axisTick
	for k := 0; k < labels && n > 1; k++ {
		j := k * (n - 1) / (labels - 1)
		x := float64(plotLeft) + float64(plotW)*float64(j)/float64(n-1)
		anchor := "middle"
		switch k {
		case 0:
			anchor = "start"
		case labels - 1:
			anchor = "end"
		}
		ts = append(ts, axisTick{Pos: x, Label: time.Unix(s.Points[j].TS, 0).In(zone).Format(layout), Anchor: anchor})
	}
	if n == 1 {
		ts = append(ts, axisTick{Pos: plotLeft, Label: time.Unix(s.Points[0].TS, 0).In(zone).Format(layout), Anchor: "start"})
	}
	return ts
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
