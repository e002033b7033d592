package history

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

func TestSeriesStepsAndTables(t *testing.T) {
	const t0 = 1_700_000_000 - 1_700_000_000%86400
	hits := func(ts int64) int64 { return 1 + ts%3 }
	s := open(t, Options{KeepSeconds: 2 * 3600})
	store(t, s, ticks(t0, t0+4*3600, 0, hits)) // the first two hours lose their seconds
	sum := func(from, to int64) int64 {
		var n int64
		for ts := from; ts < to; ts++ {
			n += hits(ts)
		}
		return n
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		r         Range
		maxPoints int
		step      int64
		points    int
	}{
		{"seconds", Range{From: t0 + 3*3600, To: t0 + 3*3600 + 300}, 300, 1, 300},
		{"seconds in steps", Range{From: t0 + 3*3600, To: t0 + 3*3600 + 300}, 100, 5, 60},
		{"minutes where the seconds are gone", Range{From: t0 + 600, To: t0 + 900}, 300, 60, 5},
		{"minutes", Range{From: t0, To: t0 + 4*3600}, 240, 60, 240},
		{"hours", Range{From: t0, To: t0 + 4*3600}, 4, 3600, 4},
		{"past the data", Range{From: t0 + 3*3600, To: t0 + 5*3600}, 2, 3600, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ser, err := s.Series(ctx, tc.r, tc.maxPoints)
			if err != nil {
				t.Fatal(err)
			}
			if ser.Step != tc.step || len(ser.Points) != tc.points {
				t.Fatalf("step %d, %d points; want %d, %d", ser.Step, len(ser.Points), tc.step, tc.points)
			}
			for i, p := range ser.Points {
				want := sum(max(p.TS, t0), min(p.TS+ser.Step, t0+4*3600))
				if p.TS != ser.Points[0].TS+int64(i)*ser.Step || p.Hits != want || p.Bytes != 10*want {
					t.Fatalf("point %d: %+v, want ts %d, %d hits", i, p, ser.Points[0].TS+int64(i)*ser.Step, want)
				}
				if want > 0 && (p.Latency.Count != want || p.Latency.P50 <= 0 || p.Latency.P99 < p.Latency.P50 || p.Latency.Max > 0.5 || p.Latency.Max < p.Latency.P99) {
					t.Fatalf("point %d: latency %+v", i, p.Latency)
				}
			}
			if want := sum(max(tc.r.From, t0), min(tc.r.To, t0+4*3600)); ser.Total.Hits != want || ser.Total.Latency.Count != want {
				t.Errorf("total %+v, want %d hits", ser.Total, want)
			}
		})
	}
}

func TestHeatmapInTheLogsZone(t *testing.T) {
	// Monday 2024-01-01 00:00 +0330 is Sunday 20:30 UTC.
	zone := time.FixedZone("+0330", 3*3600+1800)
	mon := time.Date(2024, 1, 1, 0, 0, 0, 0, zone).Unix()
	one := func(int64) int64 { return 1 }
	s := open(t, Options{})
	// The half hour before the local midnight, and the first hour after.
	store(t, s, ticks(mon-1800, mon+3600, 3*3600+1800, one))
	hm, err := s.Heatmap(context.Background(), Range{From: mon - 86400, To: mon + 86400})
	if err != nil {
		t.Fatal(err)
	}
	var want Heatmap
	want[time.Sunday][23] = 1800
	want[time.Monday][0] = 3600
	if hm != want {
		t.Errorf("heatmap: Sunday 23h %d, Monday 0h %d, want 1800, 3600; all %v", hm[0][23], hm[1][0], hm)
	}
}

func TestAlertsIncludeTheOneFiringAtFrom(t *testing.T) {
	s := open(t, Options{})
	store(t, s, [][]byte{
		alertLine("a", "firing", 100),
		alertLine("b", "firing", 110),
		alertLine("b", "resolved", 150),
		alertLine("c", "firing", 120, "section", "/api"),
		alertLine("a", "resolved", 300),
		alertLine("d", "firing", 250),
	})
	names := func(as []event.Alert) string {
		var b []string
		for _, a := range as {
			b = append(b, string(a.Name)+" "+string(a.State))
		}
		return strings.Join(b, ", ")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		r    Range
		want string
	}{
		{Range{From: 200, To: 400}, "a firing, c firing, d firing, a resolved"},
		{Range{From: 0, To: 200}, "a firing, b firing, c firing, b resolved"},
		{Range{From: 200, To: 400, Section: "/web"}, "a firing, d firing, a resolved"},
		{Range{From: 400, To: 500}, "c firing, d firing"},
	} {
		got, err := s.Alerts(ctx, tc.r)
		if err != nil {
			t.Fatal(err)
		}
		if names(got) != tc.want {
			t.Errorf("Alerts(%+v) = %s, want %s", tc.r, names(got), tc.want)
		}
	}
	firing, err := s.Firing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(firing); got != "c firing, d firing" {
		t.Errorf("Firing() = %s", got)
	}
}

func TestRulesInForce(t *testing.T) {
	s := open(t, Options{})
	store(t, s, [][]byte{ruleLine("high", "hits/s > 10 over 2m", false), ruleLine("errors", "5xx_ratio > 0.1 over 1m", false)})
	store(t, s, [][]byte{ruleLine("high", "hits/s > 20 over 2m", false), ruleLine("errors", "5xx_ratio > 0.1 over 1m", true)})
	// A replay announces the same rule again: still one record.
	store(t, s, [][]byte{ruleLine("high", "hits/s > 20 over 2m", false)})
	rules, err := s.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || string(rules[0].Name) != "high" || string(rules[0].Expr) != "hits/s > 20 over 2m" {
		t.Errorf("Rules() = %+v, want only high's newest", rules)
	}
	if n := count(t, s, `SELECT count(*) FROM rules`); n != 4 {
		t.Errorf("%d rule records, want 4", n)
	}
}

func TestSectionsTopAndApprox(t *testing.T) {
	const t0 = 1_700_000_000 - 1_700_000_000%3600
	s := open(t, Options{})
	var lines [][]byte
	// Three hours and a half of 10 s summaries; the third hour's counted
	// approximately.
	for start := int64(t0); start < t0+3*3600+1800; start += 10 {
		sum := event.Summary{Start: start, End: start + 10, Seconds: 10, Hits: 6, Sections: []event.SectionStat{
			{Section: []byte("/a"), Hits: 3, Bytes: 30, Errors5x: 1, TopPath: []byte("/a/1"), TopBytes: 10},
			{Section: []byte("/b"), Hits: 2, Bytes: 20, Errors4x: 1, TopPath: []byte("/b/1"), TopBytes: 10},
			{Section: []byte("/c"), Hits: 1, Bytes: 10, TopPath: []byte("/c/1"), TopBytes: 10},
		}}
		if start == t0+617*10 {
			sum.Sections[1].TopPath, sum.Sections[1].TopBytes = []byte("/b/huge"), 5000
		}
		if start >= t0+2*3600 && start < t0+3*3600 {
			sum.SectionsApprox, sum.SectionsError = true, 2
		}
		lines = append(lines, summaryLine(&sum))
	}
	store(t, s, lines)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		r    Range
		top  int
		want []SectionRow
	}{
		// The summaries that start from 1800 s to 11390 s: 960.
		{"whole hours and edges", Range{From: t0 + 1795, To: t0 + 3*3600 + 600}, 2, []SectionRow{
			{Section: "/a", Hits: 3 * 960, Bytes: 30 * 960, Errors5x: 960,
				TopPath: "/a/1", TopBytes: 10, Approx: true, Error: 2 * 360},
			{Section: "/b", Hits: 2 * 960, Bytes: 20 * 960, Errors4x: 960,
				TopPath: "/b/huge", TopBytes: 5000, Approx: true, Error: 2 * 360},
		}},
		{"within an hour", Range{From: t0 + 100, To: t0 + 200}, 5, []SectionRow{
			{Section: "/a", Hits: 30, Bytes: 300, Errors5x: 10, TopPath: "/a/1", TopBytes: 10},
			{Section: "/b", Hits: 20, Bytes: 200, Errors4x: 10, TopPath: "/b/1", TopBytes: 10},
			{Section: "/c", Hits: 10, Bytes: 100, TopPath: "/c/1", TopBytes: 10},
		}},
		{"one section", Range{From: t0, To: t0 + 3600, Section: "/c"}, 5, []SectionRow{
			{Section: "/c", Hits: 360, Bytes: 3600, TopPath: "/c/1", TopBytes: 10},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Sections(ctx, tc.r, tc.top)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	ser, err := s.Series(ctx, Range{From: t0, To: t0 + 3600, Section: "/b"}, 60)
	if err != nil {
		t.Fatal(err)
	}
	if ser.Step != 60 || len(ser.Points) != 60 || ser.Points[7].Hits != 12 || ser.Total.Hits != 720 || ser.Total.Status[event.Class4xx] != 360 {
		t.Errorf("Series of /b: step %d, %d points, point 7 %+v, total %+v", ser.Step, len(ser.Points), ser.Points[7], ser.Total)
	}
	var got int
	if err := s.Summaries(ctx, Range{From: t0, To: t0 + 100, Section: "/c"}, func([]byte) error { got++; return nil }); err != nil || got != 10 {
		t.Errorf("Summaries of /c: %d, %v; want 10", got, err)
	}
}

// TestRecordsComeBackInWireForm stores records and reads them back through
// the API's walks: the same lines, oldest first.
func TestRecordsComeBackInWireForm(t *testing.T) {
	s := open(t, Options{})
	in := ticks(1000, 1100, 0, func(ts int64) int64 { return ts % 4 })
	withSrc := []byte(`{"kind":"tick","ts":1100,"hits":1,"bytes":5,"status":{"1xx":0,"2xx":1,"3xx":0,"4xx":0,"5xx":0,"other":0},"source":"b.log"}`)
	sum := summaryLine(&event.Summary{Start: 1000, End: 1010, Seconds: 10, Hits: 3})
	al := alertLine("a", "firing", 1050)
	tot := []byte(`{"kind":"total","start":1000,"end":1101,"utc_offset":0,"seconds":101,"hits":10,"bytes":100,"late":0,"status":{"1xx":0,"2xx":10,"3xx":0,"4xx":0,"5xx":0,"other":0}}`)
	store(t, s, append(append([][]byte(nil), in...), withSrc, sum, al, tot,
		[]byte(`{"kind":"request","ts":1000}`), []byte(`{"kind":"notice","msg":"x"}`)))
	ctx := context.Background()
	all := Range{From: 0, To: 5000}
	walk := func(f func(context.Context, Range, func([]byte) error) error, r Range) [][]byte {
		var out [][]byte
		if err := f(ctx, r, func(line []byte) error { out = append(out, bytes.Clone(line)); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := walk(s.Ticks, all); !slices.EqualFunc(got, append(in, withSrc), bytes.Equal) {
		t.Errorf("Ticks:\n got %q\nwant %q", got[len(got)-2:], append(in, withSrc)[len(got)-2:])
	}
	if got := walk(s.Ticks, Range{From: 0, To: 5000, Source: "b.log"}); len(got) != 1 || !bytes.Equal(got[0], withSrc) {
		t.Errorf("Ticks of b.log: %q", got)
	}
	if got := walk(s.Summaries, all); len(got) != 1 || !bytes.Equal(got[0], sum) {
		t.Errorf("Summaries: %q", got)
	}
	if got := walk(s.AlertRecords, all); len(got) != 1 || !bytes.Equal(got[0], al) {
		t.Errorf("AlertRecords: %q", got)
	}
	if got := walk(s.Totals, Range{From: 1100, To: 1200}); len(got) != 1 || !bytes.Equal(got[0], tot) {
		t.Errorf("Totals: %q", got)
	}
	if got := walk(s.Totals, Range{From: 1101, To: 1200}); len(got) != 0 {
		t.Errorf("Totals after the run: %q", got)
	}
}
