package web

import (
	"context"
	"math"
	"sync"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
)

// fakeReader is a history.Reader over generated traffic: per-minute
// points for days, per-second points for the last day, sections (some of
// them hostile), alerts and rules. It aggregates the way a store would,
// well enough for the page; the store's own tests check the real thing.
type fakeReader struct {
	offset   int32
	start    int64 // first minute
	secStart int64 // first second of the per-second data
	mins     []history.Point
	secs     []history.Point
	sections []fakeSection

	mu     sync.Mutex
	alerts []event.Alert
	rules  []event.Rule
	firing []event.Alert
	// fail, when set, is the error of every question.
	fail error
}

type fakeSection struct {
	name, top string
	share     float64
	topBytes  int64
}

// Hostile text that must stay inert on the page.
const (
	probeScript = "<script>alert(1)</script>"
	probeImg    = `"><img src=x onerror=alert(1)>`
	probeJS     = "javascript:alert(1)"
	probeBidi   = "/adm\u202Egnp.exe"
)

// fakeEnd is the end of the generated history: 2026-12-01 00:00:00 UTC,
// a Tuesday, before the tests' wall clock so that nothing depends on
// it.
const fakeEnd = 1796083200

// newFakeReader generates days of traffic ending at fakeEnd, the last day
// per second, in a zone of UTC+1.
func newFakeReader(days int) *fakeReader {
	f := &fakeReader{offset: 3600}
	f.start = fakeEnd - int64(days)*86400
	f.secStart = fakeEnd - 86400
	f.mins = make([]history.Point, days*1440)
	for i := range f.mins {
		ts := f.start + int64(i)*60
		f.mins[i] = f.point(ts, 60)
	}
	f.secs = make([]history.Point, 86400)
	for i := range f.secs {
		f.secs[i] = f.point(f.secStart+int64(i), 1)
	}
	f.sections = []fakeSection{
		{"/api", "/api/v1/orders", 0.42, 48213},
		{"/static", "/static/app.3f9c.js", 0.21, 912334},
		{"/", "/", 0.12, 10233},
		{"/img", "/img/hero.jpg", 0.09, 2310921},
		{probeScript, "/search?q=" + probeScript, 0.05, 3412},
		{probeImg, probeImg, 0.04, 2211},
		{probeJS, probeJS, 0.03, 1024},
		{probeBidi, probeBidi + "/x", 0.02, 999},
		{"/login", "/login", 0.015, 5120},
		{"/health", "/health", 0.005, 12},
	}
	f.alerts = []event.Alert{
		fakeAlert("high_traffic", event.StateFiring, fakeEnd-20*3600, nil),
		fakeAlert("high_traffic", event.StateResolved, fakeEnd-19*3600, nil),
		fakeAlert(probeScript, event.StateFiring, fakeEnd-5*3600, []event.Label{{Name: []byte("section"), Value: []byte(probeImg)}}),
		fakeAlert(probeScript, event.StateResolved, fakeEnd-4*3600-1200, []event.Label{{Name: []byte("section"), Value: []byte(probeImg)}}),
		fakeAlert("errors_5xx", event.StateFiring, fakeEnd-1800, nil),
	}
	f.rules = []event.Rule{
		{Name: []byte("high_traffic"), Expr: []byte("hits/s > 10 over 2m"), Metric: []byte("hits/s"), Op: []byte(">"), Threshold: 10, Window: 120},
		{Name: []byte("errors_5xx"), Expr: []byte("5xx_ratio > 0.05 over 5m"), Metric: []byte("5xx_ratio"), Op: []byte(">"), Threshold: 0.05, Window: 300,
			Annotations: []event.Label{{Name: []byte("summary"), Value: []byte(probeBidi)}}},
		{Name: []byte(probeScript), Expr: []byte("hits/s > 1 over 1m"), Metric: []byte("hits/s"), Op: []byte(">"), Threshold: 1, Window: 60,
			Labels: []event.Label{{Name: []byte("section"), Value: []byte(probeJS)}}},
	}
	f.firing = []event.Alert{f.alerts[4]}
	return f
}

func fakeAlert(name, state string, ts int64, labels []event.Label) event.Alert {
	a := event.Alert{Name: []byte(name), State: []byte(state), TS: ts, UTCOffset: 3600, Hits: 1500, Threshold: 10, Window: 120, Rate: 12.5}
	if name != "high_traffic" {
		a.Metric, a.Op, a.Value, a.Labels, a.StartsAt = []byte("hits/s"), []byte(">"), 12.5, labels, ts
		if state == event.StateResolved {
			a.EndsAt = ts
		}
	}
	return a
}

// rate is the generated requests per second at ts: a day's swell and a
// weekly dip with some noise.
func rate(ts int64) float64 {
	local := ts + 3600
	hour := float64(local%86400) / 3600
	day := (local/86400 + 4) % 7 // 1970-01-01 was a Thursday
	r := 12 + 9*math.Sin(2*math.Pi*(hour-9)/24)
	if day == 0 || day == 6 {
		r *= 0.55
	}
	x := uint64(ts) * 0x9E3779B97F4A7C15
	x ^= x >> 29
	noise := float64(x%1000)/1000 - 0.5
	return math.Max(0, r*(1+0.4*noise))
}

func (f *fakeReader) point(ts, secs int64) history.Point {
	hits := int64(math.Round(rate(ts) * float64(secs)))
	p := history.Point{TS: ts, Hits: hits, Bytes: hits * 5120}
	p5 := hits / 50
	if ts%7200 < 300 { // a burst of errors every two hours
		p5 = hits / 5
	}
	p.Status[event.Class4xx] = hits / 25
	p.Status[event.Class3xx] = hits / 30
	p.Status[event.Class5xx] = p5
	p.Status[event.Class2xx] = hits - p.Status[event.Class4xx] - p.Status[event.Class3xx] - p5
	if hits > 0 {
		base := 0.04 + 0.03*rate(ts)/20
		p.Latency = event.Latency{Count: hits, P50: base, P90: base * 4, P99: base * 12, Max: base * 20}
	}
	return p
}

func (f *fakeReader) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail
}

func (f *fakeReader) Newest(context.Context) (int64, bool, error) {
	return fakeEnd - 1, true, f.err()
}

// points returns the stored points of r at their finest: seconds where
// they cover r, minutes otherwise, with the seconds each stands for.
func (f *fakeReader) points(r history.Range) ([]history.Point, int64) {
	if r.From >= f.secStart {
		lo := clampIndex(r.From-f.secStart, len(f.secs))
		hi := clampIndex(r.To-f.secStart, len(f.secs))
		return f.secs[lo:hi], 1
	}
	lo := clampIndex((r.From-f.start+59)/60, len(f.mins))
	hi := clampIndex((r.To-f.start+59)/60, len(f.mins))
	return f.mins[lo:hi], 60
}

func clampIndex(i int64, n int) int {
	return int(min(max(i, 0), int64(n)))
}

func (f *fakeReader) share(section string) float64 {
	if section == "" {
		return 1
	}
	for _, s := range f.sections {
		if s.name == section {
			return s.share
		}
	}
	return 0
}

func (f *fakeReader) Series(_ context.Context, r history.Range, maxPoints int) (history.Series, error) {
	if err := f.err(); err != nil {
		return history.Series{}, err
	}
	pts, base := f.points(r)
	span := r.To - r.From
	step := max(base, (span+int64(maxPoints)-1)/int64(maxPoints))
	step = (step + base - 1) / base * base
	s := history.Series{Step: step, UTCOffset: f.offset}
	first := r.From - mod(r.From, step)
	for ts := first; ts < r.To; ts += step {
		s.Points = append(s.Points, history.Point{TS: ts})
	}
	share := f.share(r.Section)
	// Latency percentiles merge as weighted means: [weight, p50, p90,
	// p99 sums, max]. A store merges sketches; the page only draws them.
	var latSum [5]float64
	perPoint := make([][5]float64, len(s.Points))
	for i := range pts {
		p := &pts[i]
		j := (p.TS - first) / step
		if j < 0 || j >= int64(len(s.Points)) {
			continue
		}
		add(&s.Points[j], p, share)
		for _, acc := range []*[5]float64{&perPoint[j], &latSum} {
			l := p.Latency
			w := float64(l.Count)
			acc[0] += w
			acc[1] += w * l.P50
			acc[2] += w * l.P90
			acc[3] += w * l.P99
			acc[4] = math.Max(acc[4], l.Max)
		}
	}
	for j := range s.Points {
		q := &s.Points[j]
		add(&s.Total, q, 1)
		setLatency(&q.Latency, perPoint[j])
	}
	setLatency(&s.Total.Latency, latSum)
	return s, nil
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func add(q, p *history.Point, share float64) {
	q.Hits += int64(float64(p.Hits) * share)
	q.Bytes += int64(float64(p.Bytes) * share)
	for k := range q.Status {
		q.Status[k] += int64(float64(p.Status[k]) * share)
	}
	q.Latency.Count += int64(float64(p.Latency.Count) * share)
}

func setLatency(l *event.Latency, acc [5]float64) {
	if l.Count == 0 || acc[0] == 0 {
		*l = event.Latency{}
		return
	}
	l.P50, l.P90, l.P99, l.Max = acc[1]/acc[0], acc[2]/acc[0], acc[3]/acc[0], acc[4]
}

func (f *fakeReader) Sections(ctx context.Context, r history.Range, n int) ([]history.SectionRow, error) {
	s, err := f.Series(ctx, history.Range{From: r.From, To: r.To}, 1)
	if err != nil {
		return nil, err
	}
	var rows []history.SectionRow
	for _, sec := range f.sections {
		if r.Section != "" && sec.name != r.Section {
			continue
		}
		h := int64(float64(s.Total.Hits) * sec.share)
		rows = append(rows, history.SectionRow{Section: sec.name, Hits: h, Bytes: h * 4000,
			Errors4x: h / 25, Errors5x: h / 50, TopPath: sec.top, TopBytes: sec.topBytes})
		if len(rows) == n {
			break
		}
	}
	return rows, nil
}

func (f *fakeReader) Heatmap(_ context.Context, r history.Range) (history.Heatmap, error) {
	var hm history.Heatmap
	if err := f.err(); err != nil {
		return hm, err
	}
	pts, _ := f.points(r)
	share := f.share(r.Section)
	for i := range pts {
		local := pts[i].TS + int64(f.offset)
		day := (local/86400 + 4) % 7
		hm[day][local%86400/3600] += int64(float64(pts[i].Hits) * share)
	}
	return hm, nil
}

func (f *fakeReader) Alerts(_ context.Context, r history.Range) ([]event.Alert, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, before []event.Alert
	firing := map[string]event.Alert{}
	for _, a := range f.alerts {
		switch {
		case a.TS < r.From && string(a.State) == event.StateFiring:
			firing[alertKey(&a)] = a
		case a.TS < r.From:
			delete(firing, alertKey(&a))
		case a.TS < r.To:
			out = append(out, a)
		}
	}
	for _, a := range firing {
		before = append(before, a)
	}
	return append(before, out...), nil
}

func (f *fakeReader) Firing(context.Context) ([]event.Alert, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.Alert(nil), f.firing...), f.fail
}

func (f *fakeReader) Rules(context.Context) ([]event.Rule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.Rule(nil), f.rules...), f.fail
}

func (f *fakeReader) Ticks(ctx context.Context, r history.Range, fn func([]byte) error) error {
	if err := f.err(); err != nil {
		return err
	}
	enc := event.NewEncoder()
	pts, base := f.points(r)
	if base != 1 {
		return nil // ticks are kept per second only
	}
	for i := range pts {
		p := &pts[i]
		t := event.Tick{TS: p.TS, UTCOffset: f.offset, Hits: p.Hits, Bytes: p.Bytes, Status: p.Status}
		line, err := enc.Tick(&t)
		if err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeReader) Summaries(ctx context.Context, r history.Range, fn func([]byte) error) error {
	if err := f.err(); err != nil {
		return err
	}
	enc := event.NewEncoder()
	lo := clampIndex((r.From-f.start+59)/60, len(f.mins))
	hi := clampIndex((r.To-f.start)/60, len(f.mins))
	for i := lo; i < hi; i++ {
		p := &f.mins[i]
		s := event.Summary{Start: p.TS, End: p.TS + 60, UTCOffset: f.offset, Seconds: 60, Hits: p.Hits,
			RPS: float64(p.Hits) / 60, Bytes: p.Bytes, Status: p.Status, SectionsTotal: int64(len(f.sections))}
		for _, sec := range f.sections[:3] {
			h := int64(float64(p.Hits) * sec.share)
			s.Sections = append(s.Sections, event.SectionStat{Section: []byte(sec.name), Hits: h, Bytes: h * 4000, TopPath: []byte(sec.top), TopBytes: sec.topBytes})
		}
		line, err := enc.Summary(&s)
		if err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (f *fakeReader) AlertRecords(ctx context.Context, r history.Range, fn func([]byte) error) error {
	als, err := f.Alerts(ctx, r)
	if err != nil {
		return err
	}
	enc := event.NewEncoder()
	for i := range als {
		if als[i].TS < r.From {
			continue
		}
		line, err := enc.Alert(&als[i])
		if err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeReader) Totals(_ context.Context, r history.Range, fn func([]byte) error) error {
	if err := f.err(); err != nil {
		return err
	}
	if r.From > fakeEnd || r.To < f.start {
		return nil
	}
	return fn([]byte(`{"kind":"total","start":1795996800,"end":1796083200,"utc_offset":3600,"seconds":86400,"hits":1000,"bytes":5120000,"late":0,"status":{"1xx":0,"2xx":990,"3xx":0,"4xx":0,"5xx":10,"other":0}}`))
}

var (
	fakeOnce sync.Once
	fakeDay  *fakeReader
)

// sharedFake is a week of generated history, made once for the tests
// that only read it.
func sharedFake() *fakeReader {
	fakeOnce.Do(func() { fakeDay = newFakeReader(7) })
	return fakeDay
}
