package window

import (
	"bytes"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/httpmon/httpmon/internal/event"
)

// DefaultMaxKeys is the number of distinct keys a top list of the total
// counts exactly when Config.MaxTotalKeys is zero.
const DefaultMaxKeys = 10000

// topList counts the hits and bytes of the keys of one list of the total
// (paths, clients, …) in bounded memory, like a sectionTable: exact up to
// max distinct keys, then Space-Saving over its max counters. A key not in
// the table replaces the one with the fewest hits, m, and starts at m with
// m as its possible overcount; its bytes count from then on, a lower bound.
//
// Keys are stored in slabs rather than one allocation each, and a counter
// that changes key reuses its key's room when the new one fits, so that
// counting allocates only as the table grows, never per request.
type topList struct {
	max     int
	m       map[string]int32 // key → index in entries
	entries []topEntry
	approx  bool
	heap    []int32 // indices of entries, a min-heap on hits, while approximate
	last    int32   // the entry counted last, checked before the map: keys repeat
	slab    []byte
}

// topEntry is one counter of a topList.
type topEntry struct {
	key   []byte // in a slab, its capacity the room it may reuse
	hits  int64
	bytes int64
	over  int64
	heap  int32
}

func newTopList(most int) *topList {
	return &topList{max: most, m: make(map[string]int32), last: -1}
}

// slabSize is the size of the slabs keys are stored in: a few hundred keys
// of a typical size each, and many of the longest, MaxText.
const slabSize = 64 << 10

// room returns space for a key of n bytes, n ≤ MaxText, rounded up to a
// power of two (16 at least): a counter's key changes in Space-Saving, and
// with sizes from a few classes the room of the old key mostly fits the
// new one, so that a counter takes new room at most once per class.
func (l *topList) room(n int) []byte {
	c := max(16, 1<<bits.Len(uint(n-1)))
	if cap(l.slab)-len(l.slab) < c {
		l.slab = make([]byte, 0, slabSize)
	}
	b := l.slab[len(l.slab) : len(l.slab)+n : len(l.slab)+c]
	l.slab = l.slab[:len(l.slab)+c]
	return b
}

// add counts one request of key, whose response had b bytes (b ≥ 0). An
// empty key is not counted: the log did not have it. It reports whether
// the key's bytes saturated at event.MaxCount.
func (l *topList) add(key []byte, b int64) (saturated bool) {
	if len(key) == 0 {
		return false
	}
	key = truncate(key)
	i := l.last
	if i < 0 || !bytes.Equal(l.entries[i].key, key) {
		var ok bool
		if i, ok = l.m[string(key)]; !ok {
			i = l.insert(key)
		}
		l.last = i
	}
	e := &l.entries[i]
	e.hits++
	e.bytes, saturated = event.AddCount(e.bytes, b)
	if l.approx {
		l.down(int(e.heap))
	}
	return saturated
}

// insert adds a key that is not in the table and returns its index.
func (l *topList) insert(key []byte) int32 {
	if !l.approx && len(l.entries) >= l.max {
		l.startApprox()
	}
	if !l.approx {
		k := l.room(len(key))
		copy(k, key)
		i := int32(len(l.entries))
		l.entries = append(l.entries, topEntry{key: k})
		l.m[unsafe.String(unsafe.SliceData(k), len(k))] = i
		return i
	}
	i := l.heap[0]
	e := &l.entries[i]
	delete(l.m, unsafe.String(unsafe.SliceData(e.key), len(e.key)))
	if cap(e.key) >= len(key) {
		e.key = e.key[:len(key)]
	} else {
		e.key = l.room(len(key))
	}
	copy(e.key, key)
	l.m[unsafe.String(unsafe.SliceData(e.key), len(e.key))] = i
	e.over, e.bytes = e.hits, 0
	return i
}

// startApprox makes the table a min-heap on hits.
func (l *topList) startApprox() {
	l.approx = true
	l.heap = make([]int32, len(l.entries))
	for i := range l.entries {
		l.heap[i] = int32(i)
		l.entries[i].heap = int32(i)
	}
	for i := len(l.heap)/2 - 1; i >= 0; i-- {
		l.down(i)
	}
}

// down restores the heap after the hits of the entry at heap index i grew.
func (l *topList) down(i int) {
	h, es := l.heap, l.entries
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && es[h[r]].hits < es[h[c]].hits {
			c = r
		}
		if es[h[c]].hits >= es[h[i]].hits {
			return
		}
		h[i], h[c] = h[c], h[i]
		es[h[i]].heap, es[h[c]].heap = int32(i), int32(c)
		i = c
	}
}

// top appends the n entries with the most hits, ties by key, to dst and
// returns it with the most by which their hits may be too high: zero
// while the list is exact, at least one once it is not.
func (l *topList) top(dst []event.TopEntry, n int) ([]event.TopEntry, int64) {
	idx := make([]int32, len(l.entries))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(x, y int32) int {
		a, b := &l.entries[x], &l.entries[y]
		if a.hits != b.hits {
			if a.hits > b.hits {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.key, b.key)
	})
	var over int64
	for _, i := range idx[:min(n, len(idx))] {
		e := &l.entries[i]
		over = max(over, e.over)
		dst = append(dst, event.TopEntry{Key: e.key, Hits: e.hits, Bytes: e.bytes})
	}
	if l.approx {
		over = max(over, 1)
	}
	return dst, over
}
