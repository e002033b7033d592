package window

import (
	"bytes"
	"hash/crc32"
	"math/bits"
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// DefaultMaxKeys is the number of distinct keys a top list of the total
// counts exactly when Config.MaxTotalKeys is zero.
const DefaultMaxKeys = 10000

// topList counts the hits and bytes of the keys of one list of the total
// (paths, clients, …) in bounded memory: exact up to max distinct keys,
// then Filtered Space-Saving (Homem, Carvalho 2010) over its max counters.
// A key not in the table first counts in alpha, an array of counters that
// the keys share by hash; once its alpha counter, a, reaches the fewest
// hits in the table, m, the key replaces that entry and starts at a+1 hits
// with a as its possible overcount, and the entry it replaces leaves its
// hits in its own alpha counter. Every alpha counter stays at most m and at
// least the hits of every key outside the table that shares it, so that, as
// in plain Space-Saving, a listed count is too high by at most m ≤ N/max
// and never too low, and no key left out has more hits than m. Unlike plain
// Space-Saving, a key seen once in a long tail (the paths of a scanner)
// costs one counter, not a replacement in the table: the paths of a real
// log made plain Space-Saving five times the cost of the rest of the
// window. Bytes count from when a key entered the table, a lower bound.
//
// Keys are stored in slabs rather than one allocation each, and a counter
// that changes key reuses its key's room when the new one fits, so that
// counting allocates only as the table grows, never per request.
type topList struct {
	max     int
	index   keyIndex
	entries []topEntry
	approx  bool
	heap    []int32 // indices of entries, a min-heap on hits, while approximate
	alpha   []int64 // while approximate, by the CRC-32C of a key
	amask   uint64
	last    int32 // the entry counted last, checked before the map: keys repeat
	slab    []byte
}

// topEntry is one counter of a topList.
type topEntry struct {
	key   []byte // in a slab, its capacity the room it may reuse
	hash  uint64 // of key
	hits  int64
	bytes int64
	over  int64
	heap  int32
}

func newTopList(most int) *topList {
	return &topList{max: most, last: -1}
}

// castagnoli is the CRC-32C table, which amd64 and arm64 compute in
// hardware: a hash that is the same in every run at a fraction of the cost
// of hash64's byte loop.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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
		h := hashKey(key)
		if i = l.index.find(key, h, l.entries); i < 0 {
			if i = l.insert(key, h); i < 0 {
				return false // counted in alpha
			}
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

// insert adds a key that is not in the table and returns its index, or -1
// when it counted in alpha instead.
func (l *topList) insert(key []byte, h uint64) int32 {
	if !l.approx && len(l.entries) >= l.max {
		l.startApprox()
	}
	if !l.approx {
		k := l.room(len(key))
		copy(k, key)
		i := int32(len(l.entries))
		l.entries = append(l.entries, topEntry{key: k, hash: h})
		l.index.put(h, i, l.entries)
		return i
	}
	// alpha decides what is listed, so it is indexed by a hash that is
	// the same in every run, unlike the index's: output is reproducible.
	a := &l.alpha[uint64(crc32.Checksum(key, castagnoli))&l.amask]
	i := l.heap[0]
	e := &l.entries[i]
	if *a+1 <= e.hits {
		*a++
		return -1
	}
	fewest := &l.alpha[uint64(crc32.Checksum(e.key, castagnoli))&l.amask]
	*fewest = max(*fewest, e.hits)
	l.index.remove(e.hash, i, l.entries)
	if cap(e.key) >= len(key) {
		e.key = e.key[:len(key)]
	} else {
		e.key = l.room(len(key))
	}
	copy(e.key, key)
	e.hash = h
	l.index.put(h, i, l.entries)
	// add counts this request: a+1 hits, a of them perhaps others'.
	e.hits, e.over, e.bytes = *a, *a, 0
	return i
}

// startApprox makes the table a min-heap on hits.
func (l *topList) startApprox() {
	l.approx = true
	n := 1 << bits.Len(uint(2*l.max))
	l.alpha, l.amask = make([]int64, n), uint64(n-1)
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
