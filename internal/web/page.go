package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// page is what the page template shows. Every string that came from a log
// or a peer is in it as a plain string, made safe for the eye by textsafe
// and for the browser by html/template's contextual escaping.
type page struct {
	Title   string
	Inline  bool // the --html file: inline CSS, no script
	CSS     any  // the stylesheet for Inline (template.CSS)
	View    view
	Zone    string // the log's zone, like "+01:00"
	FromStr string // the range's ends in the log's zone
	ToStr   string
	FromIn  string // the ends as RFC 3339, for the custom range form
	ToIn    string
	Step    string // the graph's step, like "1s" or "5m"
	Presets []presetLink
	Empty   bool // nothing stored in the range
	// NewestStr is the newest stored second, in the log's zone, on a page
	// whose range ends there; empty otherwise.
	NewestStr string

	Hits     int64
	Bytes    string
	Status   event.StatusCounts
	Errors5x int64
	Latency  *event.Latency // nil when no request times are known
	LatP50   string
	LatP90   string
	LatP99   string
	LatMax   string

	Requests chart
	Classes  chart
	Lat      *chart

	Sections    []sectionRow
	SectionList []string // for the filter's suggestions

	Heat heatmap

	Firing     []alertRow
	Timeline   timeline
	Alerts     []alertRow
	AlertsMore int
	Rules      []ruleRow

	Live *liveData // nil for the --html file
}

// presetLink is one button of the range picker.
type presetLink struct {
	Name    string
	URL     template.URL
	Current bool
}

type sectionRow struct {
	Section  string
	URL      template.URL // the page of the range filtered to this section
	Hits     int64
	Bytes    string
	Errors4x int64
	Errors5x int64
	TopPath  string
	TopBytes string
	Approx   bool
	Error    int64
	Bar      float64 // width of the hits bar, 0–100
}

type alertRow struct {
	Key       string // the alert's name and labels, which identify it
	Time      string
	Name      string
	State     string
	Labels    string
	Value     string
	Threshold string
	Firing    bool
}

type ruleRow struct {
	Name        string
	Expr        string
	Labels      string
	Annotations string
}

// timeline draws each alert's firing spans over the range.
type timeline struct {
	W, H   int
	Left   int
	PlotW  int
	Rows   []timelineRow
	XTicks []axisTick
}

type timelineRow struct {
	Y     int
	Label string
	Spans []span
}

type span struct {
	X, W  float64
	Title string
}

// heatmap is the hits by weekday and hour as SVG cells.
type heatmap struct {
	W, H  int
	Cells []heatCell
	Days  []axisTick
	Hours []axisTick
	Max   int64
}

type heatCell struct {
	X, Y    int
	Opacity string
	Title   string
}

// liveData is what live.js needs to extend the graphs with live ticks,
// embedded as JSON.
type liveData struct {
	Live    bool       `json:"live"`
	Step    int64      `json:"step"`
	First   int64      `json:"first"`
	Hits    []int64    `json:"hits"`
	Class   [4][]int64 `json:"classes"` // 2xx, 3xx, 4xx, 5xx
	YMax    float64    `json:"ymax"`
	Section string     `json:"section"`
	Newest  int64      `json:"newest"` // the newest second the page counts
	Offset  int32      `json:"offset"`
}

// maxAlertRows bounds the table of alert transitions: a month of a
// flapping rule is thousands of them, and the newest matter most.
const maxAlertRows = 200

// buildPage asks h the page's questions about v.
func (s *Server) buildPage(ctx context.Context, v view, inline bool) (*page, error) {
	h := s.h
	ser, err := h.Series(ctx, v.Range, s.opt.MaxPoints)
	if err != nil {
		return nil, fmt.Errorf("reading the series: %w", err)
	}
	zone := time.FixedZone("", int(ser.UTCOffset))
	p := &page{
		Title:    s.opt.Title,
		Inline:   inline,
		View:     v,
		Zone:     time.Unix(0, 0).In(zone).Format("-07:00"),
		FromStr:  time.Unix(v.From, 0).In(zone).Format("2006-01-02 15:04:05"),
		ToStr:    time.Unix(v.To, 0).In(zone).Format("2006-01-02 15:04:05"),
		FromIn:   time.Unix(v.From, 0).In(zone).Format(time.RFC3339),
		ToIn:     time.Unix(v.To, 0).In(zone).Format(time.RFC3339),
		Step:     formatStep(ser.Step),
		Hits:     ser.Total.Hits,
		Bytes:    formatBytes(ser.Total.Bytes),
		Status:   ser.Total.Status,
		Errors5x: ser.Total.Status[event.Class5xx],
		Empty:    ser.Total.Hits == 0,
	}
	for _, pr := range presets {
		p.Presets = append(p.Presets, presetLink{Name: pr.Name, URL: pageURL(v.presetQuery(pr.Name)), Current: v.Live && v.Last == pr.Name})
	}
	s.charts(p, &ser, zone)
	if !inline {
		p.Live = newLiveData(&ser, &v, &p.Requests)
		if v.Live && !p.Empty {
			p.NewestStr = time.Unix(v.To-1, 0).In(zone).Format("2006-01-02 15:04:05")
		}
	}

	secs, err := h.Sections(ctx, v.Range, s.opt.TopSections)
	if err != nil {
		return nil, fmt.Errorf("reading the sections: %w", err)
	}
	p.Sections = sectionRows(secs, &v)
	for _, r := range p.Sections {
		p.SectionList = append(p.SectionList, r.Section)
	}

	hm, err := h.Heatmap(ctx, v.Range)
	if err != nil {
		return nil, fmt.Errorf("reading the heatmap: %w", err)
	}
	p.Heat = newHeatmap(&hm)

	firing, err := h.Firing(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the firing alerts: %w", err)
	}
	for i := range firing {
		p.Firing = append(p.Firing, newAlertRow(&firing[i], zone))
	}
	als, err := h.Alerts(ctx, v.Range)
	if err != nil {
		return nil, fmt.Errorf("reading the alerts: %w", err)
	}
	p.Timeline = newTimeline(als, &v, &ser, zone)
	start := 0
	if len(als) > maxAlertRows {
		start = len(als) - maxAlertRows
		p.AlertsMore = start
	}
	for i := len(als) - 1; i >= start; i-- {
		p.Alerts = append(p.Alerts, newAlertRow(&als[i], zone))
	}

	rules, err := h.Rules(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the rules: %w", err)
	}
	for i := range rules {
		r := &rules[i]
		p.Rules = append(p.Rules, ruleRow{
			Name: safe(r.Name), Expr: safe(r.Expr),
			Labels: labelText(r.Labels), Annotations: labelText(r.Annotations),
		})
	}
	return p, nil
}

// charts draws the graphs of ser: requests per second, status classes per
// second and, when request times are known, their percentiles.
func (s *Server) charts(p *page, ser *history.Series, zone *time.Location) {
	n := len(ser.Points)
	step := float64(max(ser.Step, 1))
	rps := make([]float64, n)
	var classes [4][]float64
	for k := range classes {
		classes[k] = make([]float64, n)
	}
	for i := range ser.Points {
		pt := &ser.Points[i]
		rps[i] = float64(pt.Hits) / step
		for k := range classes {
			classes[k][i] = float64(pt.Status[event.Class2xx+k]) / step
		}
	}
	p.Requests = newChart("requests", "Requests per second", "req/s", ser, zone,
		[]chartLine{{Class: "hits", Label: "requests"}}, [][]float64{rps})
	p.Classes = newChart("classes", "Responses per second by status class", "req/s", ser, zone,
		[]chartLine{{Class: "c2xx", Label: "2xx"}, {Class: "c3xx", Label: "3xx"}, {Class: "c4xx", Label: "4xx"}, {Class: "c5xx", Label: "5xx"}},
		classes[:])
	if l := ser.Total.Latency; l.Count > 0 {
		p.Latency = &l
		p.LatP50, p.LatP90, p.LatP99, p.LatMax = formatSeconds(l.P50), formatSeconds(l.P90), formatSeconds(l.P99), formatSeconds(l.Max)
		var qs [3][]float64
		for k := range qs {
			qs[k] = make([]float64, n)
		}
		for i := range ser.Points {
			l := &ser.Points[i].Latency
			if l.Count == 0 {
				for k := range qs {
					qs[k][i] = math.NaN()
				}
				continue
			}
			qs[0][i], qs[1][i], qs[2][i] = l.P50, l.P90, l.P99
		}
		c := newChart("latency", "Request time percentiles", "s", ser, zone,
			[]chartLine{{Class: "p50", Label: "p50", Gaps: true}, {Class: "p90", Label: "p90", Gaps: true}, {Class: "p99", Label: "p99", Gaps: true}},
			qs[:])
		p.Lat = &c
	}
}

func newLiveData(ser *history.Series, v *view, c *chart) *liveData {
	d := &liveData{Live: v.Live, Step: max(ser.Step, 1), Hits: make([]int64, len(ser.Points)), YMax: c.YMax, Section: v.Section, Offset: ser.UTCOffset, Newest: v.To - 1}
	for k := range d.Class {
		d.Class[k] = make([]int64, len(ser.Points))
	}
	for i := range ser.Points {
		pt := &ser.Points[i]
		if i == 0 {
			d.First = pt.TS
		}
		d.Hits[i] = pt.Hits
		for k := range d.Class {
			d.Class[k][i] = pt.Status[event.Class2xx+k]
		}
	}
	return d
}

func sectionRows(secs []history.SectionRow, v *view) []sectionRow {
	var top int64
	for _, r := range secs {
		top = max(top, r.Hits)
	}
	rows := make([]sectionRow, 0, len(secs))
	for _, r := range secs {
		row := sectionRow{
			Section: textsafe.String(r.Section), URL: pageURL(v.query(r.Section)),
			Hits: r.Hits, Bytes: formatBytes(r.Bytes), Errors4x: r.Errors4x, Errors5x: r.Errors5x,
			TopPath: textsafe.String(r.TopPath), TopBytes: formatBytes(r.TopBytes),
			Approx: r.Approx, Error: r.Error,
		}
		if top > 0 {
			row.Bar = math.Round(1000*float64(r.Hits)/float64(top)) / 10
		}
		rows = append(rows, row)
	}
	return rows
}

var weekdays = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// Heatmap geometry: a cell per hour and weekday.
const (
	heatLeft  = 40
	heatTop   = 16
	heatCellW = 28
	heatRow   = 22
)

func newHeatmap(hm *history.Heatmap) heatmap {
	m := heatmap{W: heatLeft + 24*heatCellW + 4, H: heatTop + 7*heatRow + 4}
	for d := range hm {
		for hr := range hm[d] {
			m.Max = max(m.Max, hm[d][hr])
		}
	}
	// Weeks read from Monday, as in most calendars of the world.
	for row := 0; row < 7; row++ {
		d := (row + 1) % 7
		y := heatTop + row*heatRow
		m.Days = append(m.Days, axisTick{Pos: float64(y + heatRow/2 + 4), Label: weekdays[d]})
		for hr := 0; hr < 24; hr++ {
			v := hm[d][hr]
			op := 0.0
			if m.Max > 0 {
				op = 0.06 + 0.94*float64(v)/float64(m.Max)
			}
			m.Cells = append(m.Cells, heatCell{
				X: heatLeft + hr*heatCellW, Y: y,
				Opacity: strconv.FormatFloat(op, 'f', 2, 64),
				Title:   fmt.Sprintf("%s %02d:00–%02d:59: %d requests", weekdays[d], hr, hr, v),
			})
		}
	}
	for hr := 0; hr < 24; hr += 3 {
		m.Hours = append(m.Hours, axisTick{Pos: float64(heatLeft + hr*heatCellW + 2), Label: fmt.Sprintf("%02d", hr)})
	}
	return m
}

func newAlertRow(a *event.Alert, zone *time.Location) alertRow {
	r := alertRow{
		Key:    alertKey(a),
		Time:   time.Unix(a.TS, 0).In(zone).Format("2006-01-02 15:04:05"),
		Name:   safe(a.Name),
		State:  safe(a.State),
		Labels: labelText(a.Labels),
		Firing: string(a.State) == event.StateFiring,
	}
	unit := ""
	if isLatency(a.Metric) {
		unit = "s"
	}
	if len(a.Metric) == 0 {
		r.Value = strconv.FormatFloat(a.Rate, 'g', 4, 64) + " req/s"
		r.Threshold = "> " + strconv.FormatFloat(a.Threshold, 'g', 4, 64)
	} else {
		r.Value = safe(a.Metric) + " " + formatValue4(a.Value, unit)
		r.Threshold = safe(a.Op) + " " + formatValue4(a.Threshold, unit)
	}
	return r
}

func isLatency(metric []byte) bool {
	return len(metric) > 8 && string(metric[:8]) == "latency_"
}

func formatValue4(v float64, unit string) string {
	if unit == "s" {
		return formatSeconds(v)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// alertKey identifies an alert across its records, as live.js does: the
// name and the labels, apart by the unit separator, which no name holds.
func alertKey(a *event.Alert) string {
	b := append([]byte(nil), a.Name...)
	for _, l := range a.Labels {
		b = append(b, 0x1f)
		b = append(b, l.Name...)
		b = append(b, '=')
		b = append(b, l.Value...)
	}
	return string(b)
}

// Timeline geometry: a row is its alert's name above its bar.
const (
	tlLabel = 14 // the name's baseline above the bar
	tlRow   = 34
)

func newTimeline(als []event.Alert, v *view, ser *history.Series, zone *time.Location) timeline {
	// The same time axis as the charts above, so that a span lines up
	// with the traffic that fired it: the names go above their rows.
	t := timeline{W: chartW, Left: plotLeft, PlotW: plotW}
	first, last := v.From, v.To
	if n := len(ser.Points); n > 1 {
		first, last = ser.Points[0].TS, ser.Points[n-1].TS
	}
	x := func(ts int64) float64 {
		if last <= first {
			return plotLeft
		}
		f := math.Min(math.Max(float64(ts-first)/float64(last-first), 0), 1)
		return float64(plotLeft) + float64(plotW)*f
	}
	rows := map[string]int{}
	open := map[string]int64{}
	get := func(a *event.Alert) *timelineRow {
		k := alertKey(a)
		i, ok := rows[k]
		if !ok {
			i = len(t.Rows)
			rows[k] = i
			label := safe(a.Name)
			if l := labelText(a.Labels); l != "" {
				label += " " + l
			}
			t.Rows = append(t.Rows, timelineRow{Label: label})
		}
		return &t.Rows[i]
	}
	add := func(row *timelineRow, from, to int64) {
		x0, x1 := x(from), x(to)
		row.Spans = append(row.Spans, span{X: x0, W: math.Max(x1-x0, 1),
			Title: time.Unix(from, 0).In(zone).Format("Jan 2 15:04:05") + " – " + time.Unix(to, 0).In(zone).Format("Jan 2 15:04:05")})
	}
	for i := range als {
		a := &als[i]
		row := get(a)
		k := alertKey(a)
		switch string(a.State) {
		case event.StateFiring:
			if _, ok := open[k]; !ok {
				open[k] = a.TS
			}
		case event.StateResolved:
			from, ok := open[k]
			if !ok {
				from = v.From
			}
			delete(open, k)
			add(row, from, a.TS)
		}
	}
	keys := make([]string, 0, len(open))
	for k := range open {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(&t.Rows[rows[k]], open[k], v.To)
	}
	for i := range t.Rows {
		t.Rows[i].Y = tlLabel + i*tlRow
	}
	t.H = len(t.Rows)*tlRow + 20
	t.XTicks = timeTicks(ser, zone)
	return t
}

// pageURL is the page's own address with query q, which url.Values
// encoded: a relative URL with nothing in it to escape further, and so
// trusted by html/template as it is (it would otherwise escape the query's
// = and & as if q were one value).
func pageURL(q string) template.URL { return template.URL("/?" + q) }

// safe returns text from a log or a peer as a string that shows every
// control and bidirectional override as a visible escape.
func safe(b []byte) string { return string(textsafe.Append(nil, b)) }

func labelText(ls []event.Label) string {
	var b []byte
	for i, l := range ls {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = textsafe.Append(b, l.Name)
		b = append(b, '=')
		b = textsafe.Append(b, l.Value)
	}
	return string(b)
}

func formatStep(s int64) string {
	d := time.Duration(max(s, 1)) * time.Second
	switch {
	case s%86400 == 0:
		return strconv.FormatInt(s/86400, 10) + "d"
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return d.String()
}

// formatBytes writes a byte count in binary units.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + "KMGTPE"[exp:exp+1] + "iB"
}
