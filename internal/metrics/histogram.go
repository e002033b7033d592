package metrics

import (
	"math"
	"slices"
	"sort"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// histogram counts request times into fixed Prometheus buckets from the
// latency sketches of the ticks, bin by bin, so that nothing is observed
// per request.
//
// A bin of the protocol's sketch covers the times [γ^i, γ^(i+1)) and
// stands for v = γ^i·(1+α), α = event.LatencyAccuracy; the bin counts in
// the first bucket whose bound b is at least v. Every time in the bin lies
// in [v/(1+α), v/(1−α)), so a bucket "le=b" counts every request that
// took at most b/(1+α) and none that took b/(1−α) or more: its bound is
// exact to within 1%. The sum adds v for each request, so it too is
// within 1% of the true sum; times of 0 s add nothing and count in the
// first bucket.
type histogram struct {
	bounds []float64
	// last[k] is the highest bin index that counts in bucket k.
	last   []int32
	counts []uint64 // per bucket, not cumulative; the last is +Inf's
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) histogram {
	// +Inf is the bucket every histogram has; the others must be numbers.
	var b []float64
	for _, v := range bounds {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			b = append(b, v)
		}
	}
	sort.Float64s(b)
	b = slices.Compact(b)
	h := histogram{bounds: b, last: make([]int32, len(b)), counts: make([]uint64, len(b)+1)}
	for k, bound := range b {
		h.last[k] = lastIndex(bound)
	}
	return h
}

// lastIndex returns the highest bin index whose value is at most bound.
func lastIndex(bound float64) int32 {
	if !(bound > 0) {
		return math.MinInt32
	}
	gamma := (1 + event.LatencyAccuracy) / (1 - event.LatencyAccuracy)
	i := int32(math.Floor(math.Log(bound/(1+event.LatencyAccuracy)) / math.Log(gamma)))
	// The estimate may be off by one either way from rounding.
	for latency.Value(i+1) <= bound {
		i++
	}
	for latency.Value(i) > bound {
		i--
	}
	return i
}

// add counts the request times of a sketch.
func (h *histogram) add(l *event.Latency) {
	if l.Count == 0 {
		return
	}
	h.count += uint64(l.Count)
	h.counts[0] += uint64(l.Zero)
	k := 0
	for _, b := range l.Bins {
		// Bins ascend, so the bucket only moves up.
		for k < len(h.last) && b.Index > h.last[k] {
			k++
		}
		h.counts[k] += uint64(b.Count)
		h.sum += float64(b.Count) * latency.Value(b.Index)
	}
}

// cumulative returns the counts of the buckets as Prometheus wants them,
// each with the requests of all those below.
func (h *histogram) cumulative() map[float64]uint64 {
	m := make(map[float64]uint64, len(h.bounds))
	var n uint64
	for k, b := range h.bounds {
		n += h.counts[k]
		m[b] = n
	}
	return m
}
