package alert

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// latencyWindow holds the request times of a latency rule's sliding
// window: the sketch of every second of it, as the ticks carry them, and
// their sum, which a second's bins enter and leave as the window slides.
// The sum is the sketch of exactly the window's requests, so that its
// percentiles are within the protocol's accuracy of the exact ones; the
// maximum is exact, kept in a monotonic queue. A step costs the bins of
// the two seconds that enter and leave, a value the bins of the sum, at
// most latency.DefaultBins.
type latencyWindow struct {
	w    int64
	sum  latency.Sliding
	ring []event.Latency // per second, at index ts mod w; bins copied
	// maxq[head:] holds the seconds whose maximum no later second's
	// exceeds, oldest first: maxq[head] is the window's maximum. The
	// slice is compacted when its dead front passes half of it, so that
	// it neither allocates once grown nor costs more than O(1) a step.
	maxq []secondMax
	head int
}

type secondMax struct {
	ts  int64
	max float64
}

func newLatencyWindow(w int64) *latencyWindow {
	return &latencyWindow{w: w, ring: make([]event.Latency, w)}
}

// step moves the window to second s, at ring index i, whose request times
// are l (nil or empty when it had none).
func (lw *latencyWindow) step(s, i int64, l *event.Latency) {
	slot := &lw.ring[i]
	lw.sum.Remove(slot)
	*slot = event.Latency{Bins: slot.Bins[:0]}
	if l != nil && l.Count > 0 {
		slot.Count, slot.Zero, slot.Max = l.Count, l.Zero, l.Max
		slot.Bins = append(slot.Bins, l.Bins...)
		lw.sum.Add(slot)
		n := len(lw.maxq)
		for n > lw.head && lw.maxq[n-1].max <= l.Max {
			n--
		}
		lw.maxq = append(lw.maxq[:n], secondMax{s, l.Max})
	}
	for lw.head < len(lw.maxq) && lw.maxq[lw.head].ts <= s-lw.w {
		lw.head++
	}
	if lw.head > len(lw.maxq)/2 {
		n := copy(lw.maxq, lw.maxq[lw.head:])
		lw.maxq, lw.head = lw.maxq[:n], 0
	}
}

// value returns the metric of base b over the window, and false when no
// request of the window had a request time.
func (lw *latencyWindow) value(b Base) (float64, bool) {
	if lw.sum.Count() == 0 || lw.head == len(lw.maxq) {
		return 0, false
	}
	most := lw.maxq[lw.head].max
	switch b {
	case BaseP50:
		return lw.sum.Quantile(50, most), true
	case BaseP90:
		return lw.sum.Quantile(90, most), true
	case BaseP99:
		return lw.sum.Quantile(99, most), true
	}
	return most, true
}
