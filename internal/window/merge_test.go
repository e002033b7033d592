package window

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// mergeRecorder keeps a Merger's output as NDJSON lines, and what it said.
type mergeRecorder struct {
	enc   *event.Encoder
	lines []string
	told  []string
}

func newMergeRecorder() *mergeRecorder { return &mergeRecorder{enc: event.NewEncoder()} }

func (r *mergeRecorder) keep(line []byte, err error) error {
	if err != nil {
		return err
	}
	r.lines = append(r.lines, string(line))
	return nil
}

func (r *mergeRecorder) Tick(t *event.Tick) error       { return r.keep(r.enc.Tick(t)) }
func (r *mergeRecorder) Summary(s *event.Summary) error { return r.keep(r.enc.Summary(s)) }
func (r *mergeRecorder) Total(t *event.Total) error     { return r.keep(r.enc.Total(t)) }
func (r *mergeRecorder) Tell(src []byte, msg string) {
	r.told = append(r.told, string(src)+": "+msg)
}

// ticks returns the tick lines.
func (r *mergeRecorder) kind(kind string) []string {
	var out []string
	for _, l := range r.lines {
		if strings.HasPrefix(l, `{"kind":"`+kind+`"`) {
			out = append(out, l)
		}
	}
	return out
}

// mtick is a source tick of hits 2xx requests.
func mtick(src string, ts, hits int64) *event.Tick {
	return &event.Tick{Source: []byte(src), TS: ts, Hits: hits, Bytes: 10 * hits, Status: event.StatusCounts{event.Class2xx: hits}}
}

// wantTick is the line of a merged tick of hits 2xx requests.
func wantTick(ts, hits int64) string {
	return fmt.Sprintf(`{"kind":"tick","ts":%d,"hits":%d,"bytes":%d,"status":{"1xx":0,"2xx":%d,"3xx":0,"4xx":0,"5xx":0,"other":0}}`+"\n", ts, hits, 10*hits, hits)
}

type mstep struct {
	at   time.Duration // on the test's clock, since its start
	tick *event.Tick
	sum  *event.Summary
	// check, when set, runs Merger.Check at the step's time.
	check bool
}

func TestMergerTable(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	cfg := DefaultMergeConfig()
	cfg.Interval = 1000 // no summary gets in the way of the ticks
	for _, tc := range []struct {
		name     string
		expect   []string
		steps    []mstep
		flush    bool
		want     []string // merged ticks
		late     map[string]int64
		dups     map[string]int64
		tellHas  []string
		wantLate []string // late_sources of the summaries, "src=n"
	}{
		{
			name:   "watermark: a second is final once every source passed it",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 101, 2)}, {tick: mtick("a", 102, 3)},
				{tick: mtick("b", 100, 10)}, {tick: mtick("b", 101, 20)},
			},
			want: []string{wantTick(100, 11), wantTick(101, 22)},
		},
		{
			name:   "an expected source not yet heard holds everything",
			expect: []string{"a", "b", "c"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("b", 100, 1)}, {tick: mtick("a", 101, 1)}, {tick: mtick("b", 101, 1)},
			},
			want: nil,
		},
		{
			name:   "a lagging source holds back the merge, then releases it",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 101, 1)}, {tick: mtick("a", 102, 1)}, {tick: mtick("a", 103, 1)},
				{tick: mtick("b", 100, 1)},
				{tick: mtick("b", 101, 1)}, {tick: mtick("b", 102, 1)}, {tick: mtick("b", 103, 1)},
			},
			want: []string{wantTick(100, 2), wantTick(101, 2), wantTick(102, 2), wantTick(103, 2)},
		},
		{
			name:   "a source that starts later: its first seconds are empty in the merge, not held",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 101, 1)}, {tick: mtick("a", 102, 1)},
				{tick: mtick("b", 102, 5)},
			},
			want: []string{wantTick(100, 1), wantTick(101, 1), wantTick(102, 6)},
		},
		{
			name:   "a silent source goes idle, is left out, and comes back with late records",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("b", 100, 1)},
				{at: 20 * time.Second, tick: mtick("a", 101, 1)},
				{at: 25 * time.Second, tick: mtick("a", 102, 1)},
				{at: 29 * time.Second, check: true}, // not yet
				{at: 30 * time.Second, check: true}, // b idle
				{at: 31 * time.Second, tick: mtick("b", 101, 7)},
				{at: 31 * time.Second, tick: mtick("b", 102, 8)},
				{at: 31 * time.Second, tick: mtick("b", 103, 9)},
				{at: 32 * time.Second, tick: mtick("a", 103, 1)},
				{at: 33 * time.Second, tick: mtick("a", 104, 1)},
			},
			flush: true,
			want:  []string{wantTick(100, 2), wantTick(101, 1), wantTick(102, 1), wantTick(103, 10), wantTick(104, 1)},
			late:  map[string]int64{"b": 15},
			tellHas: []string{
				"b: silent for 30s; idle",
				"b: sends again after being idle",
				"b: tick of 1970-01-01T00:01:41Z with 7 requests came after its second was final",
			},
			wantLate: []string{"b=15"},
		},
		{
			name:   "with every source idle, none is left to wait for",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 101, 1)}, {tick: mtick("b", 100, 1)},
				{at: 30 * time.Second, check: true},
			},
			want: []string{wantTick(100, 2), wantTick(101, 1)},
		},
		{
			name:   "duplicates are counted once",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 100, 1)}, {tick: mtick("a", 101, 1)},
				{tick: mtick("b", 100, 2)}, {tick: mtick("a", 100, 1)}, {tick: mtick("b", 100, 2)},
				{tick: mtick("b", 101, 2)},
				// Redelivered after the seconds went final: still duplicates.
				{tick: mtick("a", 100, 1)}, {tick: mtick("b", 101, 2)},
			},
			want: []string{wantTick(100, 3), wantTick(101, 3)},
			dups: map[string]int64{"a": 3, "b": 2},
		},
		{
			name:   "out of order within a source: a hole filled before its second is final counts",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 102, 1)}, {tick: mtick("a", 101, 4)},
				{tick: mtick("b", 100, 1)}, {tick: mtick("b", 101, 1)}, {tick: mtick("b", 102, 1)},
			},
			want: []string{wantTick(100, 2), wantTick(101, 5), wantTick(102, 2)},
		},
		{
			name:   "a hole filled after its second went final is late, not lost and not a duplicate",
			expect: []string{"a", "b"},
			steps: []mstep{
				{tick: mtick("a", 100, 1)}, {tick: mtick("a", 102, 1)},
				{tick: mtick("b", 100, 1)}, {tick: mtick("b", 101, 1)}, {tick: mtick("b", 102, 1)},
				{tick: mtick("a", 101, 4)},
			},
			flush:    true,
			want:     []string{wantTick(100, 2), wantTick(101, 1), wantTick(102, 2)},
			late:     map[string]int64{"a": 4},
			wantLate: []string{"a=4"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newMergeRecorder()
			m, err := NewMerger(cfg, rec)
			if err != nil {
				t.Fatal(err)
			}
			in := m.Input([]byte("stdin"), t0)
			for _, name := range tc.expect {
				m.Expect([]byte(name), t0)
			}
			for _, st := range tc.steps {
				now := t0.Add(st.at)
				switch {
				case st.check:
					err = m.Check(now)
				case st.tick != nil:
					err = m.Tick(in, st.tick, now)
				case st.sum != nil:
					err = m.Summary(in, st.sum, now)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if tc.flush {
				if err := m.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			diffLines(t, tc.want, rec.kind("tick"))
			for _, s := range m.Stats() {
				if s.Late != tc.late[string(s.Name)] {
					t.Errorf("source %s: late %d, want %d", s.Name, s.Late, tc.late[string(s.Name)])
				}
				if s.Duplicates != tc.dups[string(s.Name)] {
					t.Errorf("source %s: duplicates %d, want %d", s.Name, s.Duplicates, tc.dups[string(s.Name)])
				}
			}
			for _, want := range tc.tellHas {
				if !slices.ContainsFunc(rec.told, func(s string) bool { return strings.HasPrefix(s, want) }) {
					t.Errorf("nothing said like %q; said:\n%s", want, strings.Join(rec.told, "\n"))
				}
			}
			var gotLate []string
			var dec = event.NewDecoder()
			for _, l := range rec.kind("summary") {
				var s event.Summary
				if err := dec.Summary([]byte(l), &s); err != nil {
					t.Fatal(err)
				}
				for _, c := range s.LateSources {
					gotLate = append(gotLate, fmt.Sprintf("%s=%d", c.Source, c.Count))
				}
			}
			if !slices.Equal(gotLate, tc.wantLate) {
				t.Errorf("late_sources %v, want %v", gotLate, tc.wantLate)
			}
		})
	}
}

// TestMergerWaitsForLastSummary checks that a merged summary includes the
// summary of the source whose tick made its last second final: a window
// writes a summary right after the interval's last tick.
func TestMergerWaitsForLastSummary(t *testing.T) {
	t0 := time.Unix(0, 0)
	cfg := DefaultMergeConfig()
	rec := newMergeRecorder()
	m, _ := NewMerger(cfg, rec)
	in := m.Input(nil, t0)
	m.Expect([]byte("a"), t0)
	m.Expect([]byte("b"), t0)
	sum := func(src string, hits int64) *event.Summary {
		return &event.Summary{Source: []byte(src), Start: 100, End: 110, Seconds: 10, Hits: hits, SectionsTotal: 1,
			Sections: []event.SectionStat{{Section: []byte("/api"), Hits: hits, TopPath: []byte("/api/" + src), TopBytes: hits}}}
	}
	for ts := int64(100); ts < 110; ts++ {
		must(t, m.Tick(in, mtick("a", ts, 1), t0))
	}
	must(t, m.Summary(in, sum("a", 10), t0))
	for ts := int64(100); ts < 110; ts++ {
		must(t, m.Tick(in, mtick("b", ts, 2), t0))
	}
	if got := rec.kind("summary"); len(got) != 0 {
		t.Fatalf("summary out before b's: %s", got)
	}
	must(t, m.Summary(in, sum("b", 20), t0))
	got := rec.kind("summary")
	if len(got) != 1 || !strings.Contains(got[0], `"sections":[{"section":"/api","hits":30,"bytes":0,"4xx":0,"5xx":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"top_path":"/api/b","top_bytes":20}]`) ||
		!strings.Contains(got[0], `"seconds":10,"partial":false,"hits":30,`) {
		t.Fatalf("merged summaries %q", got)
	}
	if n := len(rec.kind("tick")); n != 10 {
		t.Fatalf("%d ticks before the summary, want 10", n)
	}
	// A summary of an interval that is already out is late.
	must(t, m.Summary(in, &event.Summary{Source: []byte("c"), Start: 100, End: 110}, t0))
	if s := m.Stats()[2]; s.LateSummaries != 1 {
		t.Fatalf("late summaries of c: %+v", s)
	}
	// One of another interval length is refused.
	var mis *MisalignedError
	if err := m.Summary(in, &event.Summary{Source: []byte("a"), Start: 110, End: 170}, t0); err == nil || !asMisaligned(err, &mis) {
		t.Fatalf("misaligned summary: %v", err)
	}
}

func asMisaligned(err error, target **MisalignedError) bool {
	e, ok := err.(*MisalignedError)
	*target = e
	return ok
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMergerSketchesExact checks that the merged ticks' and summaries'
// latency is that of one sketch of all the request times.
func TestMergerSketchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Unix(0, 0)
	rec := newMergeRecorder()
	m, _ := NewMerger(DefaultMergeConfig(), rec)
	in := m.Input(nil, t0)
	var all, second latency.Sketch
	var want event.Latency
	for _, src := range []string{"a", "b", "c"} {
		m.Expect([]byte(src), t0)
	}
	for _, src := range []string{"a", "b", "c"} {
		var sk latency.Sketch
		for range 500 {
			v := rng.ExpFloat64() / 10
			if rng.IntN(50) == 0 {
				v = 0
			}
			sk.Add(v)
			all.Add(v)
			second.Add(v)
		}
		tk := mtick(src, 100, sk.Count())
		sk.Sketch(&tk.Latency)
		must(t, m.Tick(in, tk, t0))
	}
	must(t, m.Flush())
	second.Sketch(&want)
	var dec = event.NewDecoder()
	var got event.Tick
	must(t, dec.Tick([]byte(rec.kind("tick")[0]), &got))
	if fmt.Sprint(got.Latency.Bins) != fmt.Sprint(want.Bins) || got.Latency.Count != want.Count || got.Latency.Zero != want.Zero || got.Latency.Max != want.Max {
		t.Fatalf("merged tick latency\n%+v\nwant\n%+v", got.Latency, want)
	}
	var s event.Summary
	must(t, dec.Summary([]byte(rec.kind("summary")[0]), &s))
	for _, p := range []struct {
		got float64
		q   int
	}{{s.Latency.P50, 50}, {s.Latency.P90, 90}, {s.Latency.P99, 99}} {
		// The merged sketch knows no minimum, which only ever clamps a
		// percentile within its bin.
		if w := all.Quantile(p.q); p.got < w*0.98 || p.got > w*1.02 {
			t.Errorf("p%d %v, want %v", p.q, p.got, w)
		}
	}
}

// TestMergeTopBound checks the merged top list against the truth when the
// sources' lists are cut short: never below it, above it by at most the
// stated error, and every section heavier than the error listed.
func TestMergeTopBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const sources, keys, k = 8, 300, 20
	truth := map[string]int64{}
	var lists []topSource
	for range sources {
		counts := map[string]int64{}
		for range 5000 {
			// A skewed distribution that differs per source.
			key := fmt.Sprintf("/k%d", int(rng.ExpFloat64()*30+float64(rng.IntN(10)))%keys)
			counts[key]++
			truth[key]++
		}
		var l []event.TopEntry
		for key, n := range counts {
			l = append(l, event.TopEntry{Key: []byte(key), Hits: n})
		}
		slices.SortFunc(l, func(a, b event.TopEntry) int { return int(b.Hits - a.Hits) })
		lists = append(lists, topSource{entries: l[:k], cut: true})
	}
	got, errBound := mergeTop(lists, 10)
	if errBound == 0 {
		t.Fatal("cut lists merged with no error")
	}
	for _, e := range got {
		if tr := truth[string(e.Key)]; e.Hits < tr || e.Hits > tr+errBound {
			t.Errorf("%s: merged %d, truth %d, error bound %d", e.Key, e.Hits, tr, errBound)
		}
	}
	last := got[len(got)-1].Hits
	for key, n := range truth {
		if n > last && !slices.ContainsFunc(got, func(e event.TopEntry) bool { return string(e.Key) == key }) {
			t.Errorf("%s with %d hits left out, the last listed has %d", key, n, last)
		}
	}
	// Whole lists merge exactly.
	exact, e := mergeTop([]topSource{{entries: []event.TopEntry{{Key: []byte("/a"), Hits: 3}}}, {entries: []event.TopEntry{{Key: []byte("/a"), Hits: 2}, {Key: []byte("/b"), Hits: 1}}}}, 10)
	if e != 0 || fmt.Sprint(exact) != fmt.Sprint([]event.TopEntry{{Key: []byte("/a"), Hits: 5}, {Key: []byte("/b"), Hits: 1}}) {
		t.Fatalf("exact merge %v, error %d", exact, e)
	}
}

// TestMergerLag checks the bound on how far sources may drift apart: on
// one input the oldest seconds are made final past MaxLag, and with many
// inputs the one ahead is told to pause first.
func TestMergerLag(t *testing.T) {
	t0 := time.Unix(0, 0)
	cfg := DefaultMergeConfig()
	cfg.Interval, cfg.MaxLag = 1000, 10
	rec := newMergeRecorder()
	m, _ := NewMerger(cfg, rec)
	ina, inb := m.Input([]byte("a"), t0), m.Input([]byte("b"), t0)
	must(t, m.Tick(inb, mtick("", 100, 1), t0))
	for ts := int64(100); ts <= 106; ts++ {
		must(t, m.Tick(ina, mtick("", ts, 1), t0))
		if m.Ahead(ina) {
			t.Fatalf("a is ahead at %d, within half of MaxLag", ts)
		}
	}
	must(t, m.Tick(ina, mtick("", 107, 1), t0))
	if !m.Ahead(ina) || m.Ahead(inb) {
		t.Fatalf("at 107 a should pause and b not: a %v, b %v", m.Ahead(ina), m.Ahead(inb))
	}
	for ts := int64(108); ts <= 115; ts++ {
		must(t, m.Tick(ina, mtick("", ts, 1), t0))
	}
	want := []string{wantTick(100, 2)}
	for ts := int64(101); ts <= 105; ts++ {
		want = append(want, wantTick(ts, 1))
	}
	diffLines(t, want, rec.kind("tick"))
	if !slices.ContainsFunc(rec.told, func(s string) bool { return strings.Contains(s, "lags more than 10s") }) {
		t.Errorf("the lag was not said: %q", rec.told)
	}
	must(t, m.Tick(inb, mtick("", 101, 3), t0))
	if s := m.Stats()[0]; string(s.Name) != "b" || s.Late != 3 {
		t.Errorf("b's late tick: %+v", s)
	}
}

// TestMergerPausedInputStaysExact replays two hosts whose logs start
// hours apart, the way --merge reads files: the input ahead pauses while
// Ahead says so, and nothing is made final early or late.
func TestMergerPausedInputStaysExact(t *testing.T) {
	t0 := time.Unix(0, 0)
	cfg := DefaultMergeConfig()
	rec := newMergeRecorder()
	m, _ := NewMerger(cfg, rec)
	ina, inb := m.Input([]byte("a"), t0), m.Input([]byte("b"), t0)
	const gap = 6 * 3600
	must(t, m.Tick(inb, mtick("", gap, 1), t0))
	for ts := int64(0); ts < gap; ts++ {
		must(t, m.Tick(ina, mtick("", ts, 1), t0))
	}
	if m.Ahead(inb) {
		t.Fatal("b still ahead once a caught up")
	}
	for ts := int64(gap + 1); ts < gap+100; ts++ {
		must(t, m.Tick(inb, mtick("", ts, 1), t0))
		must(t, m.Tick(ina, mtick("", ts-1, 1), t0))
	}
	must(t, m.Flush())
	for _, s := range m.Stats() {
		if s.Late != 0 {
			t.Fatalf("late ticks: %+v", s)
		}
	}
	if len(rec.told) > 0 {
		t.Fatalf("said %q", rec.told)
	}
	if got := rec.kind("tick"); len(got) != gap+100 || got[gap] != wantTick(gap, 2) {
		t.Fatalf("%d ticks, tick %d %q", len(got), gap, got[gap])
	}
}

// TestMergerResume checks a restarted merge: what its transport redelivers
// from before the resume point is a duplicate of what is stored, and the
// merged stream picks up at that second.
func TestMergerResume(t *testing.T) {
	t0 := time.Unix(0, 0)
	cfg := DefaultMergeConfig()
	cfg.Resume, cfg.Resuming = 105, true
	rec := newMergeRecorder()
	m, _ := NewMerger(cfg, rec)
	in := m.Input(nil, t0)
	for ts := int64(100); ts <= 107; ts++ {
		must(t, m.Tick(in, mtick("a", ts, 1), t0))
	}
	must(t, m.Summary(in, &event.Summary{Source: []byte("a"), Start: 90, End: 100}, t0))
	must(t, m.Flush())
	diffLines(t, []string{wantTick(105, 1), wantTick(106, 1), wantTick(107, 1)}, rec.kind("tick"))
	if s := m.Stats()[0]; s.Duplicates != 6 || s.Late != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestMergerDuplicate checks that the Merger says which records it left
// out as seen before, of each kind, and of none other.
func TestMergerDuplicate(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	m, _ := NewMerger(DefaultMergeConfig(), newMergeRecorder())
	in := m.Input(nil, t0)
	sum := &event.Summary{Source: []byte("a"), Start: 100, End: 110, Seconds: 10}
	tot := &event.Total{Source: []byte("a"), Start: 100, End: 110}
	for _, tc := range []struct {
		name string
		give func() error
		want bool
	}{
		{"first tick", func() error { return m.Tick(in, mtick("a", 100, 1), t0) }, false},
		{"tick again", func() error { return m.Tick(in, mtick("a", 100, 1), t0) }, true},
		{"next tick", func() error { return m.Tick(in, mtick("a", 101, 1), t0) }, false},
		{"first summary", func() error { return m.Summary(in, sum, t0) }, false},
		{"summary again", func() error { return m.Summary(in, sum, t0) }, true},
		{"first total", func() error { return m.Total(in, tot, t0) }, false},
		{"total again", func() error { return m.Total(in, tot, t0) }, true},
		{"another source's tick", func() error { return m.Tick(in, mtick("b", 100, 1), t0) }, false},
	} {
		must(t, tc.give())
		if got := m.Duplicate(); got != tc.want {
			t.Errorf("%s: Duplicate() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
