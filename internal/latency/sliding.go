package latency

import (
	"github.com/DataDog/sketches-go/ddsketch/store"

	"github.com/httpmon/httpmon/internal/event"
)

// Sliding is the sketch of a sliding window of seconds: the bins of a
// second are added as it enters and taken away as it leaves, which a
// DDSketch allows because merging is adding counts. The caller keeps the
// seconds' bins; Sliding keeps only their sum, in one bounded store.
type Sliding struct {
	store *store.CollapsingLowestDenseStore
	count int64
	zero  int64
}

// Add adds the sketch of a second, as a tick carries it.
func (w *Sliding) Add(l *event.Latency) { w.add(l, 1) }

// Remove takes away the sketch of a second added before.
func (w *Sliding) Remove(l *event.Latency) { w.add(l, -1) }

func (w *Sliding) add(l *event.Latency, sign int64) {
	if l.Count == 0 {
		return
	}
	if w.store == nil {
		w.store = store.NewCollapsingLowestDenseStore(DefaultBins)
	}
	w.count += sign * l.Count
	w.zero += sign * l.Zero
	for _, b := range l.Bins {
		w.store.AddWithCount(int(b.Index), float64(sign*b.Count))
	}
	if w.count == 0 {
		// An emptied store must be cleared: the library grows one that
		// is empty as if it had no room yet.
		w.store.Clear()
		w.zero = 0
	}
}

// Count returns the number of times in the window.
func (w *Sliding) Count() int64 { return w.count }

// Quantile returns the nearest-rank p-th percentile of the window, never
// above most, the largest time in it; 0 when empty.
func (w *Sliding) Quantile(p int, most float64) float64 {
	if w.count <= 0 {
		return 0
	}
	return min(quantile(w.store, w.zero, w.count, p), most)
}
