package window

import (
	"bytes"
	"encoding/binary"
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
// What a list costs per request is mostly cache misses in a table of
// 10,000 keys with a long tail, so it is laid out to take few: an entry
// is one cache line that holds a key of up to inlineKey bytes itself
// (every client address, and 98% of the paths of genlog's log, 62% and
// 41% of two real ones), so that finding such a key reads its slot of the
// index and its entry and nothing else; longer
// keys are stored in slabs rather than one allocation each, and a counter
// that changes key reuses its key's room when the new one fits, so that
// counting allocates only as the table grows, never per request. Nothing
// in an entry is a pointer, so the collector never scans the tables.
//
// Most requests of a log repeat a key counted a little before (its few
// user agents, referrers and sections, its busiest paths), and a memo in
// front of the index finds those without hashing the whole key: see
// memoSlot.
type topList struct {
	max     int
	index   keyIndex
	entries []topEntry
	approx  bool
	heap    []heapItem // while approximate, a lazy min-heap on hits
	alpha   []int64    // while approximate, by the CRC-32C of a key
	amask   uint64
	slabs   [][]byte // the keys longer than inlineKey; the last has room
	memo    [memoSize]memoSlot
}

// inlineKey is the longest key an entry holds itself.
const inlineKey = 28

// topEntry is one counter of a topList, 64 bytes.
type topEntry struct {
	hits   int64
	bytes  int64
	over   int64
	tag    uint32 // the low half of the key's hash, as in its slot
	n      uint16 // the key's length
	room   uint16 // with a key in a slab, the room it may reuse there
	ref    uint32 // with a key in a slab, where: slab<<16 | offset
	inline [inlineKey]byte
}

// keyOf returns the key of entry e of l.
func (l *topList) keyOf(e *topEntry) []byte {
	if e.n <= inlineKey {
		return e.inline[:e.n:e.n]
	}
	return l.slabs[e.ref>>16][e.ref&0xffff:][:e.n:e.n]
}

// setKey makes key, which fits in MaxText, the key of entry e of l.
func (l *topList) setKey(e *topEntry, key []byte) {
	n := len(key)
	if n <= inlineKey {
		copy(e.inline[:], key)
	} else {
		if int(e.room) < n {
			e.ref, e.room = l.room(n)
		}
		copy(l.slabs[e.ref>>16][e.ref&0xffff:][:n], key)
	}
	e.n = uint16(n)
}

// heapItem is an entry in the heap with its hits when it last moved there.
// An entry's hits grow without the heap being told, so the heap is ordered
// on hits that are at most the entries' own; the root is still the entry
// with the fewest when its copy is up to date (every other entry has at
// least its copy, which is at least the root's), and fewest brings it up
// to date before it answers. Counting a key already in the table then
// costs no work in the heap at all, only keys that reach its root do, and
// the busiest keys, once deep in it, never move again.
type heapItem struct {
	hits int64
	idx  int32
}

// memoSize is the number of slots of a topList's memo, a power of two: a
// few times the user agents, referrers or sections a site mostly sees,
// and a few kilobytes, so that the memo stays in the fastest cache.
const memoSize = 1 << memoBits

const memoBits = 7

// memoSlot remembers the entry a key was counted in last, found by the
// key's length and its first and last eight bytes (all of its bytes when
// it has at most 16, and then the slot alone says the key is the same)
// instead of a hash of every byte. It always holds the length and words
// of its entry's key, as an entry that changes key clears its slot, so
// that a longer key only needs its middle compared with the entry's; a
// key that is not in the memo costs a few comparisons more than the
// index alone.
type memoSlot struct {
	w0, w1 uint64
	n      int32
	idx    int32 // the entry + 1; 0 in a slot not in use
}

// keyWords returns words that, with its length, tell key apart from every
// other key of at most 16 bytes: its first and last eight bytes (four for
// a shorter key, its bytes themselves for fewer than four), overlapping
// when the key is shorter than 16.
func keyWords(key []byte) (w0, w1 uint64) {
	switch n := len(key); {
	case n >= 8:
		return binary.LittleEndian.Uint64(key), binary.LittleEndian.Uint64(key[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(key)), uint64(binary.LittleEndian.Uint32(key[n-4:]))
	case n > 0:
		return uint64(key[0]) | uint64(key[n/2])<<8 | uint64(key[n-1])<<16, 0
	}
	return 0, 0
}

// memoOf returns the memo slot of a key of n bytes with these words.
func memoOf(w0, w1 uint64, n int) int {
	x := (w0 ^ bits.RotateLeft64(w1, 29) ^ uint64(n)) * 0x9e3779b97f4a7c15
	return int(x >> (64 - memoBits))
}

func newTopList(most int) *topList {
	return &topList{max: most}
}

// castagnoli is the CRC-32C table, which amd64 and arm64 compute in
// hardware: a hash that is the same in every run at a fraction of the cost
// of hash64's byte loop.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// slabSize is the size of the slabs keys are stored in: a few hundred keys
// of a typical size each, and many of the longest, MaxText. An offset in
// one is 16 bits.
const slabSize = 64 << 10

// room returns where there is space for a key of n bytes, n ≤ MaxText,
// and how much, rounded up to a power of two: a counter's key changes in
// Space-Saving, and with sizes from a few classes the room of the old key
// mostly fits the new one, so that a counter takes new room at most once
// per class.
func (l *topList) room(n int) (ref uint32, size uint16) {
	c := 1 << bits.Len(uint(n-1))
	last := len(l.slabs) - 1
	if last < 0 || cap(l.slabs[last])-len(l.slabs[last]) < c {
		l.slabs = append(l.slabs, make([]byte, 0, slabSize))
		last++
	}
	s := &l.slabs[last]
	ref = uint32(last)<<16 | uint32(len(*s))
	*s = (*s)[:len(*s)+c]
	return ref, uint16(c)
}

// add counts one request of key, which is not empty (an empty key is one
// the log did not have, and the caller does not count it), whose response
// had b bytes (b ≥ 0). It reports whether the key's bytes saturated at
// event.MaxCount.
func (l *topList) add(key []byte, b int64) (saturated bool) {
	key = truncate(key)
	n := len(key)
	w0, w1 := keyWords(key)
	m := &l.memo[memoOf(w0, w1, n)]
	i := m.idx - 1
	if i < 0 || m.w0 != w0 || m.w1 != w1 || m.n != int32(n) || n > 16 && !bytes.Equal(l.keyOf(&l.entries[i])[8:n-8], key[8:n-8]) {
		h := keyHash(key, w0, w1)
		if i = l.find(key, h); i < 0 {
			if i = l.insert(key, h); i < 0 {
				return false // counted in alpha
			}
		}
		*m = memoSlot{w0: w0, w1: w1, n: int32(n), idx: i + 1}
	}
	e := &l.entries[i]
	e.hits++
	e.bytes, saturated = event.AddCount(e.bytes, b)
	return saturated
}

// forget clears the memo slot of entry i's key, if it points there,
// before the entry changes key.
func (l *topList) forget(i int32) {
	k := l.keyOf(&l.entries[i])
	w0, w1 := keyWords(k)
	if m := &l.memo[memoOf(w0, w1, len(k))]; m.idx == i+1 {
		*m = memoSlot{}
	}
}

// insert adds a key that is not in the table and returns its index, or -1
// when it counted in alpha instead.
func (l *topList) insert(key []byte, h uint64) int32 {
	if !l.approx && len(l.entries) >= l.max {
		l.startApprox()
	}
	if !l.approx {
		i := int32(len(l.entries))
		l.entries = append(l.entries, topEntry{tag: tagOf(h)})
		l.setKey(&l.entries[i], key)
		l.index.put(tagOf(h), i)
		return i
	}
	// alpha decides what is listed, so it is indexed by a hash that is
	// the same in every run, unlike the index's: output is reproducible.
	a := &l.alpha[uint64(crc32.Checksum(key, castagnoli))&l.amask]
	if *a < l.heap[0].hits {
		// Below the root's copy of its hits, so below the fewest hits of
		// the table: no need to bring the heap up to date to know.
		*a++
		return -1
	}
	i := l.fewest()
	e := &l.entries[i]
	if *a+1 <= e.hits {
		*a++
		return -1
	}
	l.forget(i)
	fewest := &l.alpha[uint64(crc32.Checksum(l.keyOf(e), castagnoli))&l.amask]
	*fewest = max(*fewest, e.hits)
	l.index.remove(e.tag, i)
	l.setKey(e, key)
	e.tag = tagOf(h)
	l.index.put(e.tag, i)
	// add counts this request: a+1 hits, a of them perhaps others'.
	e.hits, e.over, e.bytes = *a, *a, 0
	l.heap[0].hits = e.hits
	return i
}

// startApprox makes the table a heap.
func (l *topList) startApprox() {
	l.approx = true
	n := 1 << bits.Len(uint(2*l.max))
	l.alpha, l.amask = make([]int64, n), uint64(n-1)
	l.heap = make([]heapItem, len(l.entries))
	for i := range l.entries {
		l.heap[i] = heapItem{hits: l.entries[i].hits, idx: int32(i)}
	}
	for i := len(l.heap)/2 - 1; i >= 0; i-- {
		l.down(i)
	}
}

// fewest returns the entry with the fewest hits, at the heap's root.
func (l *topList) fewest() int32 {
	for {
		r := &l.heap[0]
		n := l.entries[r.idx].hits
		if n == r.hits {
			return r.idx
		}
		r.hits = n
		l.down(0)
	}
}

// down restores the heap after the hits of the item at index i grew.
func (l *topList) down(i int) {
	h := l.heap
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && h[r].hits < h[c].hits {
			c = r
		}
		if h[c].hits >= h[i].hits {
			return
		}
		h[i], h[c] = h[c], h[i]
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
		return bytes.Compare(l.keyOf(a), l.keyOf(b))
	})
	var over int64
	for _, i := range idx[:min(n, len(idx))] {
		e := &l.entries[i]
		over = max(over, e.over)
		dst = append(dst, event.TopEntry{Key: l.keyOf(e), Hits: e.hits, Bytes: e.bytes})
	}
	if l.approx {
		over = max(over, 1)
	}
	return dst, over
}
