package natsio

import "container/heap"

// Positions finds where a restarted merge must read the stream again from,
// given the last second whose merged records a store holds: the lowest
// sequence of a record of a later second. Every record before it is of a
// second the store has; the records of those seconds after it are left out
// on resume, since the store has them.
type Positions struct {
	open seqHeap // records of seconds not known to be stored
	next uint64  // one past the newest sequence seen
}

type seqRec struct {
	seq    uint64
	second int64
}

// Add notes the record at sequence seq, of second (its newest: a tick's,
// or the last of a summary's interval).
func (p *Positions) Add(seq uint64, second int64) {
	heap.Push(&p.open, seqRec{seq, second})
	p.Seen(seq)
}

// Seen notes a record at sequence seq that no second depends on.
func (p *Positions) Seen(seq uint64) { p.next = max(p.next, seq+1) }

// Resume returns the sequence to resume from once every second up to
// through is stored; through never goes back.
func (p *Positions) Resume(through int64) uint64 {
	for len(p.open) > 0 && p.open[0].second <= through {
		heap.Pop(&p.open)
	}
	if len(p.open) > 0 {
		return p.open[0].seq
	}
	return p.next
}

type seqHeap []seqRec

func (h seqHeap) Len() int           { return len(h) }
func (h seqHeap) Less(i, j int) bool { return h[i].seq < h[j].seq }
func (h seqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seqHeap) Push(x any)        { *h = append(*h, x.(seqRec)) }
func (h *seqHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
