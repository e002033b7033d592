package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestSummaryLatencyMatchesNearestRank feeds generated request times and
// checks every summary's and section's percentiles against the exact
// nearest-rank percentiles of the times of its requests.
func TestSummaryLatencyMatchesNearestRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	c := Config{Interval: 10, Lateness: 0, Top: 5}
	var reqs []event.Request
	exact := map[int64]map[string][]float64{} // interval start → section ("" for all) → times
	for ts := int64(1000); ts < 1100; ts++ {
		for range rng.IntN(200) {
			sec := []string{"/a", "/b", "/c"}[rng.IntN(3)]
			r := event.Request{TS: ts, Status: 200, Section: []byte(sec), RequestTime: -1}
			if ts < 1090 && rng.IntN(10) > 0 { // the last interval logs no times
				r.RequestTime = math.Round(math.Exp(1.3*rng.NormFloat64()-2.5)*1e6) / 1e6
				k := ts - ts%c.Interval
				if exact[k] == nil {
					exact[k] = map[string][]float64{}
				}
				exact[k][""] = append(exact[k][""], r.RequestTime)
				exact[k][sec] = append(exact[k][sec], r.RequestTime)
			}
			reqs = append(reqs, r)
		}
	}
	rec, _ := feed(t, c, reqs)
	check := func(what string, got event.Latency, times []float64) {
		t.Helper()
		if len(times) == 0 {
			if got.Count != 0 {
				t.Errorf("%s: latency %+v without request times", what, got)
			}
			return
		}
		slices.Sort(times)
		if got.Count != int64(len(times)) || got.Max != times[len(times)-1] {
			t.Errorf("%s: count %d max %g, want %d and %g", what, got.Count, got.Max, len(times), times[len(times)-1])
		}
		for _, q := range []struct {
			p   int
			got float64
		}{{50, got.P50}, {90, got.P90}, {99, got.P99}} {
			k := int(math.Ceil(float64(q.p) * float64(len(times)) / 100))
			want := times[k-1]
			if math.Abs(q.got-want) > event.LatencyAccuracy*want {
				t.Errorf("%s: p%d = %g, want %g ±1%%", what, q.p, q.got, want)
			}
		}
	}
	var tickCount, sumCount int64
	for _, tk := range rec.ticks {
		tickCount += tk.Latency.Count
	}
	for _, s := range rec.sums {
		sumCount += s.Latency.Count
		check("summary", s.Latency, exact[s.Start][""])
		for _, sec := range s.Sections {
			check("section "+string(sec.Section), sec.Latency, exact[s.Start][string(sec.Section)])
		}
	}
	if tickCount != sumCount || sumCount == 0 {
		t.Errorf("ticks carry %d request times, summaries %d", tickCount, sumCount)
	}
}
