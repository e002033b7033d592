package latency

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// nearestRank is the exact reference: the k-th smallest of sorted, with
// k = ⌈p·n/100⌉.
func nearestRank(sorted []float64, p int) float64 {
	k := int(math.Ceil(float64(p) * float64(len(sorted)) / 100))
	return sorted[max(k, 1)-1]
}

// within reports whether got is within the protocol's relative accuracy of
// want.
func within(got, want float64) bool {
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want) <= event.LatencyAccuracy*want
}

// generators make request times the way logs have them: log-normal around
// a typical time, with a slow tail, rounded to the millisecond as nginx
// writes them, or to the microsecond as Apache's %D does, and with zeros.
var generators = []struct {
	name string
	gen  func(r *rand.Rand) float64
}{
	{"lognormal ms", func(r *rand.Rand) float64 { return math.Round(math.Exp(r.NormFloat64()-3)*1e3) / 1e3 }},
	{"lognormal µs", func(r *rand.Rand) float64 { return math.Round(math.Exp(1.5*r.NormFloat64()-4)*1e6) / 1e6 }},
	{"bimodal with tail", func(r *rand.Rand) float64 {
		switch x := r.Float64(); {
		case x < 0.6:
			return 0.002 + 0.001*r.Float64()
		case x < 0.99:
			return 0.2 + 0.3*r.Float64()
		default:
			return 5 + 25*r.Float64()
		}
	}},
	{"uniform wide", func(r *rand.Rand) float64 { return math.Pow(10, -6+15*r.Float64()) * 0.999 }},
	{"zeros and ones", func(r *rand.Rand) float64 { return float64(r.IntN(2)) }},
}

func TestQuantileWithinAccuracyOfNearestRank(t *testing.T) {
	for _, g := range generators {
		for _, n := range []int{1, 2, 3, 7, 10, 99, 100, 101, 1000, 54321} {
			r := rand.New(rand.NewPCG(uint64(n), 7))
			times := make([]float64, n)
			var s Sketch
			for i := range times {
				times[i] = g.gen(r)
				s.Add(times[i])
			}
			slices.Sort(times)
			for _, p := range []int{1, 50, 90, 99, 100} {
				want, got := nearestRank(times, p), s.Quantile(p)
				if !within(got, want) {
					t.Errorf("%s, n=%d: p%d = %g, want %g ±1%%", g.name, n, p, got, want)
				}
			}
			if s.Max() != times[n-1] || s.Count() != int64(n) {
				t.Errorf("%s, n=%d: max %g count %d, want %g and %d", g.name, n, s.Max(), s.Count(), times[n-1], n)
			}
		}
	}
}

func TestMergeIsTheSketchOfAll(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all, merged Sketch
	parts := make([]Sketch, 5)
	for i := range 5000 {
		v := generators[2].gen(r)
		all.Add(v)
		parts[i%5].Add(v)
	}
	for i := range parts {
		merged.Merge(&parts[i])
	}
	for _, p := range []int{1, 50, 90, 99, 100} {
		if a, m := all.Quantile(p), merged.Quantile(p); a != m {
			t.Errorf("p%d: merged %g, whole %g", p, m, a)
		}
	}
	if all.Count() != merged.Count() || all.Max() != merged.Max() {
		t.Errorf("merged count %d max %g, whole %d %g", merged.Count(), merged.Max(), all.Count(), all.Max())
	}
}

func TestSketchThroughTheWire(t *testing.T) {
	// A second's bins, as a tick carries them, rebuild the same
	// percentiles in a Sliding window, and leave it empty when removed.
	r := rand.New(rand.NewPCG(3, 4))
	var s Sketch
	for range 777 {
		s.Add(generators[0].gen(r))
	}
	var l event.Latency
	s.Sketch(&l)
	var w Sliding
	w.Add(&l)
	for _, p := range []int{1, 50, 90, 99, 100} {
		if a, b := s.Quantile(p), w.Quantile(p, s.Max()); a != b {
			t.Errorf("p%d: window %g, sketch %g", p, b, a)
		}
	}
	w.Remove(&l)
	if w.Count() != 0 || w.Quantile(50, 1) != 0 {
		t.Errorf("window not empty after removing what it held: %d", w.Count())
	}
}

func TestSlidingMatchesExactWindow(t *testing.T) {
	// Seconds enter and leave a window of 5; its percentiles stay within
	// the accuracy of the exact ones of the times in it.
	r := rand.New(rand.NewPCG(5, 6))
	const window = 5
	secs := make([][]float64, 60)
	lats := make([]event.Latency, len(secs))
	var w Sliding
	for i := range secs {
		var s Sketch
		for range r.IntN(40) {
			v := generators[1].gen(r)
			secs[i] = append(secs[i], v)
			s.Add(v)
		}
		s.Sketch(&lats[i])
		w.Add(&lats[i])
		if i >= window {
			w.Remove(&lats[i-window])
		}
		var in []float64
		for _, sec := range secs[max(0, i-window+1) : i+1] {
			in = append(in, sec...)
		}
		if int64(len(in)) != w.Count() {
			t.Fatalf("second %d: window counts %d, holds %d", i, w.Count(), len(in))
		}
		if len(in) == 0 {
			continue
		}
		slices.Sort(in)
		for _, p := range []int{50, 99} {
			if got, want := w.Quantile(p, in[len(in)-1]), nearestRank(in, p); !within(got, want) {
				t.Errorf("second %d: p%d = %g, want %g ±1%%", i, p, got, want)
			}
		}
	}
}

func TestResetAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates where the compiler would not")
	}
	var s Sketch
	fill := func() {
		for i := range 100 {
			s.Add(float64(i) * 0.01)
		}
		s.Reset()
	}
	fill()
	if n := testing.AllocsPerRun(100, fill); n != 0 {
		t.Errorf("%v allocations per reuse, want 0", n)
	}
}
