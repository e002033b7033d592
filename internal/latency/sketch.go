// Package latency keeps request times in DDSketches (Masson, Rim, Lee
// 2019), with the logarithmic mapping and relative accuracy that the
// protocol's latency bins use: any percentile of a sketch is within
// event.LatencyAccuracy of the request time it stands for, and sketches of
// seconds, intervals or servers merge exactly by adding their bins.
//
// The sketches bound their memory with the collapsing-lowest dense store
// of DataDog/sketches-go: past a sketch's MaxBins, the lowest bins merge,
// which spoils only the lowest percentiles of a sketch whose times span a
// range wider than its bins cover (γ^MaxBins: 6·10^17 for 2048 bins, 2.8·10^4
// for 512). Percentiles are nearest-rank: the k-th smallest time with
// k = ⌈p·n/100⌉.
package latency

import (
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"

	"github.com/httpmon/httpmon/internal/event"
)

// Bin limits. A tick's and an interval's sketch cover every request time
// from 1e-8 s to the protocol's 1e9 s with DefaultBins; a section's covers
// a span of 28,000×, 1 ms to 28 s say, with SectionBins, so that the
// thousands of sections an interval may count keep 4 KiB each at most.
const (
	DefaultBins = 2048
	SectionBins = 512
)

// logMapping is the protocol's mapping from times to bin indexes.
var logMapping = mustMapping()

func mustMapping() *mapping.LogarithmicMapping {
	m, err := mapping.NewLogarithmicMapping(event.LatencyAccuracy)
	if err != nil {
		panic(err) // a constant accuracy that the library refuses
	}
	return m
}

// Sketch is a DDSketch of request times with their exact count and
// maximum. The zero Sketch is empty and holds DefaultBins at most; its
// store is made at the first time added and kept by Reset, so that a
// Sketch that is reused allocates nothing once its bins have grown.
type Sketch struct {
	// MaxBins bounds the bins; zero means DefaultBins. It takes effect
	// when the store is made.
	MaxBins int
	store   *store.CollapsingLowestDenseStore
	count   int64
	zero    int64 // times of 0 s, or too small for a bin
	min     float64
	max     float64
}

// Add counts a request time of v seconds; a negative v, which stands for
// an absent time, is ignored.
func (s *Sketch) Add(v float64) { s.AddTime(NewTime(v)) }

// Time is a request time with its bin, found once for the several
// sketches a request goes to: the logarithm is most of the cost of an Add.
// The zero Time is absent.
type Time struct {
	v     float64
	index int
	kind  uint8 // absent, or which of zero and bin
}

// Kinds of Time.
const (
	timeAbsent = iota
	timeZero   // 0 s, or too small for a bin: counted apart
	timeBin
)

// NewTime returns the time of v seconds, absent when v is negative.
func NewTime(v float64) Time {
	switch {
	case !(v >= 0):
		return Time{}
	case v <= logMapping.MinIndexableValue():
		return Time{v: v, kind: timeZero}
	}
	return Time{v: v, index: logMapping.Index(v), kind: timeBin}
}

// Present reports whether t is a time rather than absent.
func (t Time) Present() bool { return t.kind != timeAbsent }

// AddTime counts t, unless it is absent.
func (s *Sketch) AddTime(t Time) {
	if t.kind == timeAbsent {
		return
	}
	v := t.v
	if s.count == 0 || v < s.min {
		s.min = v
	}
	s.max = max(s.max, v)
	s.count++
	if t.kind == timeZero {
		s.zero++
		return
	}
	s.bins().Add(t.index)
}

func (s *Sketch) bins() *store.CollapsingLowestDenseStore {
	if s.store == nil {
		n := s.MaxBins
		if n == 0 {
			n = DefaultBins
		}
		s.store = store.NewCollapsingLowestDenseStore(n)
	}
	return s.store
}

// Count returns the number of times added.
func (s *Sketch) Count() int64 { return s.count }

// Max returns the largest time added, exactly.
func (s *Sketch) Max() float64 { return s.max }

// Reset empties s, keeping its store's room.
func (s *Sketch) Reset() {
	if s.store != nil {
		s.store.Clear()
	}
	s.count, s.zero, s.min, s.max = 0, 0, 0, 0
}

// Merge adds the times of o to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.count == 0 {
		return
	}
	if s.count == 0 || o.min < s.min {
		s.min = o.min
	}
	s.max = max(s.max, o.max)
	s.count += o.count
	s.zero += o.zero
	if o.store != nil && !o.store.IsEmpty() {
		s.bins().MergeWith(o.store)
	}
}

// Quantile returns the nearest-rank p-th percentile, 0 < p ≤ 100, within
// the sketch's accuracy and never outside the times added; 0 when empty.
func (s *Sketch) Quantile(p int) float64 {
	if s.count == 0 {
		return 0
	}
	return min(max(quantile(s.store, s.zero, s.count, p), s.min), s.max)
}

// Latency fills l with the count and the percentiles of s, and no bins.
func (s *Sketch) Latency(l *event.Latency) {
	*l = event.Latency{Bins: l.Bins[:0]}
	if s.count == 0 {
		return
	}
	l.Count = s.count
	l.P50, l.P90, l.P99 = s.Quantile(50), s.Quantile(90), s.Quantile(99)
	l.Max = s.max
}

// Sketch fills l with the count, the maximum and the bins of s, reusing
// l.Bins, as a tick carries them.
func (s *Sketch) Sketch(l *event.Latency) {
	bins := l.Bins[:0]
	*l = event.Latency{Count: s.count, Max: s.max, Zero: s.zero}
	if s.count > 0 && s.store != nil {
		s.store.ForEach(func(i int, c float64) bool {
			bins = append(bins, event.Bin{Index: int32(i), Count: int64(c)})
			return false
		})
	}
	l.Bins = bins
}

// quantile finds the nearest-rank p-th percentile among count times, zero
// of which are 0 and the others in st.
func quantile(st *store.CollapsingLowestDenseStore, zero, count int64, p int) float64 {
	k := (int64(p)*count + 99) / 100 // ⌈p·count/100⌉ without rounding
	k = max(k, 1)
	if k <= zero || st == nil || st.IsEmpty() {
		return 0
	}
	return logMapping.Value(st.KeyAtRank(float64(k - zero - 1)))
}

// Value returns the time a bin stands for, within the accuracy of every
// time in it.
func Value(index int32) float64 { return logMapping.Value(int(index)) }
