package alert

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

func TestParseLatencyRule(t *testing.T) {
	// The rules' text and read-back are checked in TestParseRule.
	if r, _ := ParseRule("slow: latency_p99 > 500ms over 5m"); r.Threshold != 0.5 || r.Metric.Form != FormLatency || r.Metric.Base != BaseP99 {
		t.Errorf("threshold %v metric %+v, want 0.5 s of latency_p99", r.Threshold, r.Metric)
	}
	errs := []struct{ in, err string }{
		{"s: latency_p99 > 0.5", `column 18: want a duration like 500ms or 1.5s for latency_p99, not "0.5"`},
		{"s: latency_p99 > -1s", "want a duration like 500ms"},
		{"s: latency_p99 > 2000000000s", "below 1e9s"},
		{"s: latency_p99/s > 1s", "want a metric"},
		{"s: latency_p99_ratio > 1s", "want a metric"},
		// Not exact from what the stages carry: refused, saying why and
		// what to run instead.
		{"s: latency_p99{section=/api} > 1s", `latency_p99{section="/api"} cannot be exact: ticks carry one sketch of request times for all sections, and summaries only percentiles (of their top sections), which no window's percentile can be added up from; watch the section with the rule in a pipeline of its requests alone: httpmon-parse LOG | grep -F '"section":"/api"' | httpmon-window | httpmon-alert --rule 's: latency_p99 > 1s over 2m'`},
		{`s: latency_max{section="/a b"} >= 2s over 5m`, `grep -F '"section":"/a b"' | httpmon-window | httpmon-alert --rule 's: latency_max >= 2s over 5m'`},
		{`s: latency_p50{section="/it's"} > 1s`, `grep -F '"section":"/it'\''s"' |`},
		{"s: latency_p90{source=b.log} > 1s", `latency_p90{source="b.log"} cannot be exact: ticks carry one sketch of request times for all sources, and summaries only percentiles (of their top sections), which no window's percentile can be added up from; watch the source with the rule in a pipeline of its input alone: httpmon-parse LOG | httpmon-window | httpmon-alert --rule 's: latency_p90 > 1s over 2m', LOG being the input of source "b.log"`},
		{"s: latency_p90{section=/a,source=b.log} > 1s", "cannot be exact"},
		{"s: latency_p99 > 1s min_requests 5", "min_requests applies to ratio metrics"},
	}
	for _, tc := range errs {
		if _, err := ParseRule(tc.in); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: want error containing %q, got %v", tc.in, tc.err, err)
		}
	}
}

// TestLatencyRuleMatchesExactReference runs latency rules over ticks of
// generated request times and checks each alert against a reference that
// computes the window's exact nearest-rank percentile and maximum from the
// times themselves, with thresholds that no exact value is within 2% of,
// so that the sketch's 1% cannot decide differently.
func TestLatencyRuleMatchesExactReference(t *testing.T) {
	const seconds, window, forSecs = 400, 20, 5
	rng := rand.New(rand.NewPCG(21, 22))
	times := make([][]float64, seconds)
	ticks := make([]event.Tick, seconds)
	for s := range times {
		slow := s%100 >= 40 && s%100 < 70 // slow spells, for the rules to find
		n := rng.IntN(30)
		if s%50 == 7 {
			n = 0 // seconds without request times
		}
		var sk latency.Sketch
		for range n {
			v := math.Exp(rng.NormFloat64()*0.7 - 3)
			if slow {
				v *= 8
			}
			v = math.Round(v*1e3) / 1e3
			times[s] = append(times[s], v)
			sk.Add(v)
		}
		ticks[s] = event.Tick{TS: int64(1000 + s), Hits: int64(n + 2)}
		sk.Sketch(&ticks[s].Latency)
	}
	// exact[s] is the window ending at s, sorted.
	exact := make([][]float64, seconds)
	for s := range exact {
		for _, ts := range times[max(0, s-window+1) : s+1] {
			exact[s] = append(exact[s], ts...)
		}
		slices.Sort(exact[s])
	}
	for _, m := range []struct {
		name string
		p    int // 0 for the maximum
	}{{"latency_p50", 50}, {"latency_p90", 90}, {"latency_p99", 99}, {"latency_max", 0}} {
		t.Run(m.name, func(t *testing.T) {
			value := func(s int) (float64, bool) {
				w := exact[s]
				if len(w) == 0 {
					return 0, false
				}
				if m.p == 0 {
					return w[len(w)-1], true
				}
				k := (m.p*len(w) + 99) / 100
				return w[k-1], true
			}
			threshold := clearThreshold(t, seconds, value)
			var want []string
			firing, run := false, 0
			for s := range seconds {
				v, ok := value(s)
				cond := ok && v > threshold
				if cond {
					run++
				} else {
					run = 0
				}
				switch {
				case !firing && run > forSecs:
					firing = true
					want = append(want, "firing "+itoa(1000+s))
				case firing && !cond:
					firing = false
					want = append(want, "resolved "+itoa(1000+s))
				}
			}
			if len(want) < 2 {
				t.Fatalf("the reference fires %d times; the test tests nothing", len(want))
			}
			rule := Rule{Name: "slow", Metric: mustMetric(t, m.name), Threshold: threshold, Window: window, For: forSecs}
			e, err := NewEngine([]Rule{rule})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var alerts []event.Alert
			for i := range ticks {
				alerts = alerts[:0]
				if alerts, err = e.Tick(&ticks[i], alerts); err != nil {
					t.Fatal(err)
				}
				for _, a := range alerts {
					got = append(got, string(a.State)+" "+itoa(int(a.TS)))
					v, _ := value(int(a.TS) - 1000)
					if a.State[0] == 'f' && math.Abs(a.Value-v) > event.LatencyAccuracy*v {
						t.Errorf("%s at %d: value %g, exact %g", a.State, a.TS, a.Value, v)
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("threshold %g s:\nwant %q\n got %q", threshold, want, got)
			}
		})
	}
}

// clearThreshold picks a threshold in the widest gap between the values,
// away from the extremes, that is more than 2% wide on either side.
func clearThreshold(t *testing.T, seconds int, value func(int) (float64, bool)) float64 {
	t.Helper()
	var vs []float64
	for s := range seconds {
		if v, ok := value(s); ok {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	best, ratio := 0.0, 1.0
	for i := len(vs) / 10; i+1 < len(vs)*9/10; i++ {
		if r := vs[i+1] / vs[i]; r > ratio {
			best, ratio = math.Sqrt(vs[i]*vs[i+1]), r
		}
	}
	if ratio < 1.045 {
		t.Fatalf("no threshold clear of the values: widest gap %g", ratio)
	}
	return best
}

func mustMetric(t *testing.T, name string) Metric {
	t.Helper()
	m, ok := ParseMetric(name)
	if !ok {
		t.Fatalf("no metric %q", name)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLatencyRuleAllocatesNothing pins the per-tick cost of a latency
// rule once its window's seconds have their room: no allocation.
func TestLatencyRuleAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates where the compiler would not")
	}
	e, err := NewEngine([]Rule{{Name: "slow", Metric: mustMetric(t, "latency_p99"), Threshold: 0.5, Window: 30}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var sk latency.Sketch
	tk := event.Tick{TS: 1}
	var alerts []event.Alert
	step := func() {
		sk.Reset()
		for range 50 {
			sk.Add(math.Exp(rng.NormFloat64() - 3))
		}
		tk.TS++
		tk.Hits = 50
		sk.Sketch(&tk.Latency)
		if alerts, err = e.Tick(&tk, alerts[:0]); err != nil {
			t.Fatal(err)
		}
	}
	for range 300 {
		step()
	}
	if n := testing.AllocsPerRun(300, step); n != 0 {
		t.Errorf("%v allocations a tick", n)
	}
}
