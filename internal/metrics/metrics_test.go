package metrics

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// scrape serves one scrape of m and parses it with Prometheus's own text
// parser.
func scrape(t testing.TB, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", res.Status)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("scrape: Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("scrape does not parse: %v", err)
	}
	return fams
}

// values returns the samples of a counter or gauge family as
// "label=value,…" → value, labels in the order of the family's metrics.
func values(t testing.TB, fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	f := fams[name]
	if f == nil {
		return got
	}
	for _, m := range f.Metric {
		var ls []string
		for _, l := range m.Label {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(ls)
		var v float64
		switch {
		case m.Counter != nil:
			v = m.Counter.GetValue()
		case m.Gauge != nil:
			v = m.Gauge.GetValue()
		default:
			t.Fatalf("%s: not a counter or gauge", name)
		}
		got[strings.Join(ls, ",")] = v
	}
	return got
}

// observe encodes records and feeds them to m as the report would.
func observe(t testing.TB, m *Metrics, lines ...[]byte) {
	t.Helper()
	dec := event.NewDecoder()
	for _, line := range lines {
		kind, err := dec.Kind(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if err := m.Observe(kind, line); err != nil {
			t.Fatalf("Observe %s: %v", line, err)
		}
	}
}

func summaryLine(t testing.TB, s *event.Summary) []byte {
	t.Helper()
	line, err := event.NewEncoder().Summary(s)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), line...)
}

func sec(name string, bytes int64, status event.StatusCounts) event.SectionStat {
	var hits int64
	for _, n := range status {
		hits += n
	}
	return event.SectionStat{Section: []byte(name), Hits: hits, Bytes: bytes,
		Errors4x: status[event.Class4xx], Errors5x: status[event.Class5xx], Status: status}
}

func TestRequestsBySectionAndClass(t *testing.T) {
	m := New(Options{Sections: 2})
	observe(t, m,
		summaryLine(t, &event.Summary{Start: 0, End: 10, Seconds: 10, Hits: 10, Bytes: 1000, Late: 2,
			Status: event.StatusCounts{event.Class2xx: 6, event.Class3xx: 1, event.Class4xx: 2, event.Class5xx: 1},
			Sections: []event.SectionStat{
				sec("/api", 500, event.StatusCounts{event.Class2xx: 3, event.Class5xx: 1}),
				sec("/img", 300, event.StatusCounts{event.Class2xx: 2, event.Class3xx: 1}),
				sec("/x", 100, event.StatusCounts{event.Class4xx: 1}),
			}}),
		// /api is not listed this time: its requests are in other's. /new
		// finds no label left.
		summaryLine(t, &event.Summary{Start: 10, End: 20, Seconds: 10, Hits: 4, Bytes: 40, Late: 1,
			Status: event.StatusCounts{event.Class2xx: 3, event.ClassOther: 1},
			Sections: []event.SectionStat{
				sec("/new", 10, event.StatusCounts{event.Class2xx: 2}),
				sec("/img", 20, event.StatusCounts{event.Class2xx: 1}),
			}}),
	)
	fams := scrape(t, m)
	req := values(t, fams, "httpmon_requests_total")
	want := map[string]float64{
		"section=/api,source=all,status=2xx": 3, "section=/api,source=all,status=5xx": 1,
		"section=/img,source=all,status=2xx": 3, "section=/img,source=all,status=3xx": 1,
		"section=other,source=all,status=2xx": 1 + 2, "section=other,source=all,status=4xx": 2,
		"section=other,source=all,status=other": 1,
	}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("requests %s = %v, want %v", k, req[k], v)
		}
	}
	var total float64
	for k, v := range req {
		total += v
		if _, ok := want[k]; !ok && v != 0 {
			t.Errorf("requests %s = %v, want 0", k, v)
		}
	}
	if total != 14 {
		t.Errorf("requests add up to %v, want the summaries' 14", total)
	}
	if n := len(req); n != 3*event.NumClasses {
		t.Errorf("%d request series, want %d: every class of /api, /img and other", n, 3*event.NumClasses)
	}
	bytes := values(t, fams, "httpmon_response_bytes_total")
	wantBytes := map[string]float64{"section=/api,source=all": 500, "section=/img,source=all": 320, "section=other,source=all": 200 + 20}
	if fmt.Sprint(bytes) != fmt.Sprint(wantBytes) {
		t.Errorf("bytes:\nwant %v\n got %v", wantBytes, bytes)
	}
	if late := values(t, fams, "httpmon_late_records_total"); late["source=all"] != 3 {
		t.Errorf("late = %v, want 3", late)
	}
}

// A section written by a producer that did not break it down by class
// counts under other, so that the classes stay exact.
func TestSectionWithoutStatusCountsAsOther(t *testing.T) {
	m := New(Options{Source: "web1"})
	line := []byte(`{"kind":"summary","start":0,"end":10,"seconds":10,"partial":false,"hits":3,"rps":0.3,"bytes":30,"status":{"1xx":0,"2xx":2,"3xx":0,"4xx":1,"5xx":0,"other":0},"late":0,"sections_total":1,"sections":[{"section":"/a","hits":3,"bytes":30,"4xx":1,"5xx":0,"top_path":"/a","top_bytes":10}]}`)
	observe(t, m, line)
	req := values(t, scrape(t, m), "httpmon_requests_total")
	if req["section=other,source=web1,status=2xx"] != 2 || req["section=other,source=web1,status=4xx"] != 1 {
		t.Errorf("got %v, want other's 2xx 2 and 4xx 1", req)
	}
	if _, ok := req["section=/a,source=web1,status=2xx"]; ok {
		t.Errorf("/a got a label without a status breakdown: %v", req)
	}
}

// However many sections a log has, the series are bounded: the first
// Sections that a top list names, and other.
func TestSectionCardinalityBound(t *testing.T) {
	m := New(Options{})
	var lines [][]byte
	for i := range 1000 {
		lines = append(lines, summaryLine(t, &event.Summary{Start: int64(i) * 10, End: int64(i)*10 + 10, Seconds: 10, Hits: 2,
			Status: event.StatusCounts{event.Class2xx: 2},
			Sections: []event.SectionStat{
				sec(fmt.Sprintf("/s%04d", i), 0, event.StatusCounts{event.Class2xx: 1}),
				// Names that must not become labels of their own.
				sec([]string{"", "other"}[i%2], 0, event.StatusCounts{event.Class2xx: 1}),
			}}))
	}
	observe(t, m, lines...)
	req := values(t, scrape(t, m), "httpmon_requests_total")
	sections := map[string]bool{}
	for k := range req {
		sections[strings.Split(k, ",")[0]] = true
	}
	if len(sections) != DefaultSections+1 {
		t.Errorf("%d section labels, want %d and other", len(sections), DefaultSections)
	}
	if !sections["section=/s0000"] || !sections["section=/s0019"] || sections["section=/s0020"] {
		t.Errorf("want the first %d sections labelled, got %v", DefaultSections, sections)
	}
	if got := req["section=other,source=all,status=2xx"]; got != 2000-DefaultSections {
		t.Errorf("other 2xx = %v, want %d", got, 2000-DefaultSections)
	}
}

func TestAlertsFiring(t *testing.T) {
	m := New(Options{})
	enc := event.NewEncoder()
	var lines [][]byte
	add := func(line []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, append([]byte(nil), line...))
	}
	add(enc.Rule(&event.Rule{Name: []byte("high_traffic"), Expr: []byte("hits/s > 10 over 2m"), Metric: []byte("hits/s"), Op: []byte(">"), Threshold: 10, Window: 120}))
	add(enc.Rule(&event.Rule{Name: []byte("api_5xx"), Expr: []byte("5xx > 1 over 1m"), Metric: []byte("5xx"), Op: []byte(">"), Threshold: 1, Window: 60}))
	add(enc.Rule(&event.Rule{Name: []byte("gone"), Expr: []byte("5xx > 1 over 1m"), Metric: []byte("5xx"), Op: []byte(">"), Threshold: 1, Window: 60}))
	add(enc.Alert(&event.Alert{Name: []byte("high_traffic"), State: []byte(event.StateFiring), TS: 100, Window: 120}))
	add(enc.Alert(&event.Alert{Name: []byte("api_5xx"), State: []byte(event.StateFiring), TS: 101, Window: 60}))
	add(enc.Alert(&event.Alert{Name: []byte("api_5xx"), State: []byte(event.StateResolved), TS: 102, Window: 60}))
	add(enc.Rule(&event.Rule{Name: []byte("gone"), Expr: []byte("5xx > 1 over 1m"), Metric: []byte("5xx"), Op: []byte(">"), Threshold: 1, Window: 60, Removed: true}))
	observe(t, m, lines...)
	got := values(t, scrape(t, m), "httpmon_alerts_firing")
	want := map[string]float64{"alertname=high_traffic": 1, "alertname=api_5xx": 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("alerts firing:\nwant %v\n got %v", want, got)
	}
}

func TestRejectedAndNotices(t *testing.T) {
	m := New(Options{})
	enc := event.NewEncoder()
	var lines [][]byte
	for _, n := range []event.Notice{
		{Stage: []byte("httpmon-parse"), Line: 3, Message: []byte(`bad status "2xx"`)},
		{Stage: []byte("httpmon-window"), Line: 9, Message: []byte("request … counted as late")},
		{Stage: []byte("httpmon-parse"), Message: []byte("12 malformed input lines skipped"), Count: 12},
	} {
		line, err := enc.Notice(&n)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, append([]byte(nil), line...))
	}
	observe(t, m, lines...)
	m.Rejected(1)
	m.Rejected(1)
	fams := scrape(t, m)
	rej := values(t, fams, "httpmon_rejected_records_total")
	if want := map[string]float64{"stage=httpmon-parse": 12, "stage=httpmon-report": 2}; fmt.Sprint(rej) != fmt.Sprint(want) {
		t.Errorf("rejected:\nwant %v\n got %v", want, rej)
	}
	not := values(t, fams, "httpmon_notices_total")
	if want := map[string]float64{"stage=httpmon-parse": 2, "stage=httpmon-window": 1}; fmt.Sprint(not) != fmt.Sprint(want) {
		t.Errorf("notices:\nwant %v\n got %v", want, not)
	}
}

// Stage names from the stream are bounded and made valid label values.
func TestStageLabelsBounded(t *testing.T) {
	m := New(Options{})
	enc := event.NewEncoder()
	var lines [][]byte
	for i := range 40 {
		line, err := enc.Notice(&event.Notice{Stage: fmt.Appendf(nil, "stage%d\xff", i), Message: []byte("x"), Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, append([]byte(nil), line...))
	}
	observe(t, m, lines...)
	rej := values(t, scrape(t, m), "httpmon_rejected_records_total")
	if len(rej) != MaxStages+1 || rej["stage=other"] != 40-MaxStages {
		t.Errorf("got %d stage series, other %v; want %d and %d", len(rej), rej["stage=other"], MaxStages+1, 40-MaxStages)
	}
}

// The histogram's buckets, from the ticks' sketches, hold exactly the
// requests that took at most their bound, but for times within 1% of it.
func TestDurationHistogram(t *testing.T) {
	bounds := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	m := New(Options{Buckets: bounds})
	var times []float64
	enc := event.NewEncoder()
	var lines [][]byte
	var exactSum float64
	for ts := range int64(20) {
		var sk latency.Sketch
		tick := event.Tick{TS: 1000 + ts}
		for i := range 500 {
			// Log-uniform from 0.1 ms to 30 s, and some zeros.
			v := 0.0
			if i%50 != 0 {
				v = 1e-4 * math.Pow(3e5, float64((int(ts)*500+i)*7919%10007)/10007)
			}
			sk.Add(v)
			times = append(times, v)
			exactSum += v
			tick.Hits++
		}
		sk.Sketch(&tick.Latency)
		line, err := enc.Tick(&tick)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, append([]byte(nil), line...))
	}
	observe(t, m, lines...)
	f := scrape(t, m)["httpmon_request_duration_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.Metric) != 1 {
		t.Fatalf("want one histogram, got %v", f)
	}
	h := f.Metric[0].Histogram
	if h.GetSampleCount() != uint64(len(times)) {
		t.Errorf("count %d, want %d", h.GetSampleCount(), len(times))
	}
	if s := h.GetSampleSum(); math.Abs(s-exactSum) > 0.01*exactSum {
		t.Errorf("sum %v, want within 1%% of %v", s, exactSum)
	}
	if len(h.Bucket) != len(bounds)+1 || !math.IsInf(h.Bucket[len(bounds)].GetUpperBound(), 1) || h.Bucket[len(bounds)].GetCumulativeCount() != uint64(len(times)) {
		t.Fatalf("want %d buckets and +Inf with every request, got %v", len(bounds), h.Bucket)
	}
	for i, b := range h.Bucket[:len(bounds)] {
		var atMost, below, above uint64 // ≤ bound/(1+α), ≤ bound, < bound/(1−α)
		for _, v := range times {
			if v <= b.GetUpperBound()/(1+event.LatencyAccuracy) {
				atMost++
			}
			if v <= b.GetUpperBound() {
				below++
			}
			if v < b.GetUpperBound()/(1-event.LatencyAccuracy) {
				above++
			}
		}
		got := b.GetCumulativeCount()
		if b.GetUpperBound() != bounds[i] || got < atMost || got > above {
			t.Errorf("bucket le=%v: %d, want from %d to %d (exact %d)", b.GetUpperBound(), got, atMost, above, below)
		}
	}
}

// Bins exactly at a bucket's bound land on the right side of it.
func TestLastIndex(t *testing.T) {
	for _, bound := range []float64{1e-6, 0.005, 0.1, 1, 2.5, 10, 3600} {
		i := lastIndex(bound)
		if v := latency.Value(i); v > bound {
			t.Errorf("bound %v: bin %d stands for %v, above it", bound, i, v)
		}
		if v := latency.Value(i + 1); v <= bound {
			t.Errorf("bound %v: bin %d stands for %v, not above it", bound, i+1, v)
		}
	}
}

// Counters only grow, scrape after scrape.
func TestMonotonic(t *testing.T) {
	m := New(Options{Sections: 1})
	s := &event.Summary{Start: 0, End: 10, Seconds: 10, Hits: 2, Bytes: 5, Status: event.StatusCounts{event.Class2xx: 2},
		Sections: []event.SectionStat{sec("/a", 5, event.StatusCounts{event.Class2xx: 2})}}
	prev := map[string]float64{}
	for i, name := range []string{"/a", "/a", "/b", "/a"} {
		s.Sections[0].Section = []byte(name) // /b finds no label left
		observe(t, m, summaryLine(t, s))
		got := values(t, scrape(t, m), "httpmon_requests_total")
		for k, v := range got {
			if v < prev[k] {
				t.Errorf("scrape %d: %s went from %v down to %v", i, k, prev[k], v)
			}
		}
		prev = got
	}
	if a, o := prev["section=/a,source=all,status=2xx"], prev["section=other,source=all,status=2xx"]; a != 6 || o != 2 {
		t.Errorf("/a 2xx = %v, other 2xx = %v; want 6 and 2", a, o)
	}
}

func TestObserveBadRecord(t *testing.T) {
	m := New(Options{})
	if err := m.Observe([]byte(event.KindSummary), []byte(`{"kind":"summary","start":"x"}`)); err == nil {
		t.Error("a bad summary was accepted")
	}
	if err := m.Observe([]byte("request"), []byte(`{"kind":"request","ts":1}`)); err != nil {
		t.Errorf("a kind without metrics: %v", err)
	}
}

func BenchmarkObserveSummary(b *testing.B) {
	m := New(Options{})
	s := &event.Summary{Start: 0, End: 10, Seconds: 10, Hits: 100, Bytes: 1e6,
		Status: event.StatusCounts{event.Class2xx: 80, event.Class3xx: 10, event.Class4xx: 7, event.Class5xx: 3}}
	for i := range 10 {
		s.Sections = append(s.Sections, sec(fmt.Sprintf("/section%d", i), 1000, event.StatusCounts{event.Class2xx: 8, event.Class4xx: 1, event.Class5xx: 1}))
	}
	line := summaryLine(b, s)
	kind := []byte(event.KindSummary)
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if err := m.Observe(kind, line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountSummary is the counting of a decoded summary alone, which
// allocates nothing: the allocations of Observe are the decoder's.
func BenchmarkCountSummary(b *testing.B) {
	m := New(Options{})
	s := &event.Summary{Start: 0, End: 10, Seconds: 10, Hits: 100, Bytes: 1e6,
		Status: event.StatusCounts{event.Class2xx: 80, event.Class3xx: 10, event.Class4xx: 7, event.Class5xx: 3}}
	for i := range 30 {
		s.Sections = append(s.Sections, sec(fmt.Sprintf("/section%d", i), 1000, event.StatusCounts{event.Class2xx: 8, event.Class4xx: 1, event.Class5xx: 1}))
	}
	b.ReportAllocs()
	for b.Loop() {
		m.summary(s)
	}
}

// BenchmarkObserveTick is a tick with a latency sketch of 200 bins.
func BenchmarkObserveTick(b *testing.B) {
	m := New(Options{})
	var sk latency.Sketch
	for i := range 200 {
		sk.Add(0.001 * math.Pow(1.0202, float64(i)))
	}
	tick := event.Tick{TS: 1, Hits: 200}
	sk.Sketch(&tick.Latency)
	line, err := event.NewEncoder().Tick(&tick)
	if err != nil {
		b.Fatal(err)
	}
	line = append([]byte(nil), line...)
	kind := []byte(event.KindTick)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Observe(kind, line); err != nil {
			b.Fatal(err)
		}
	}
}
