package logfmt

import (
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
)

// keyTable finds the child of a jsonNode by key, as the node's children
// map does, in a fraction of the time: a line has a lookup per key, and a
// map lookup hashes the key with aeshash and compares it with memequal,
// which together cost more than scanning the key. The table reads a key
// as two words (keyWords) that, with its length, are the whole key up to
// 16 bytes, the length of nearly every real key; it hashes those into a
// slot and probes from there to the key's slot or an empty one, comparing
// the words, and longer keys whole as well. The lookup is written out in
// jsonState.object's loop, where a call would cost a quarter of it.
type keyTable struct {
	slots []keySlot // a power of two of them, at most half full
	shift uint8     // 64 - log2(len(slots))
}

type keySlot struct {
	lo, hi uint64
	n      int
	key    string
	node   *jsonNode // nil for an empty slot
}

// emptySlots is the table of a node without children.
var emptySlots = make([]keySlot, 1)

// freeze builds the key tables of n and the nodes under it, once the
// layout is complete.
func (n *jsonNode) freeze() {
	size := 1
	for size < 2*len(n.children) {
		size *= 2
	}
	t := keyTable{slots: emptySlots, shift: 64}
	if len(n.children) > 0 {
		t = keyTable{slots: make([]keySlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	}
	mask := uint64(size - 1)
	// In a fixed order, so that collisions, and the time a lookup takes,
	// are the same from run to run.
	for _, key := range slices.Sorted(maps.Keys(n.children)) {
		c := n.children[key]
		lo, hi := keyWords([]byte(key))
		h := keyHash(lo, hi, len(key), t.shift)
		for t.slots[h].node != nil {
			h = (h + 1) & mask
		}
		t.slots[h] = keySlot{lo: lo, hi: hi, n: len(key), key: key, node: c}
		c.freeze()
	}
	n.keys = t
}

// matches reports whether the slot holds key, whose words are lo and hi.
func (s *keySlot) matches(lo, hi uint64, key []byte) bool {
	return s.lo == lo && s.hi == hi && s.n == len(key) && (len(key) <= 16 || s.key == string(key))
}

// keyWords returns two words that, with its length, are the whole of a
// key of up to 16 bytes: its first and last eight bytes, which overlap in
// a key shorter than 16, its first and last four for one of four to seven
// bytes, and its bytes for a shorter one.
func keyWords(k []byte) (lo, hi uint64) {
	switch n := len(k); {
	case n >= 8:
		return binary.LittleEndian.Uint64(k), binary.LittleEndian.Uint64(k[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(k)), uint64(binary.LittleEndian.Uint32(k[n-4:]))
	case n > 0:
		return uint64(k[0]) | uint64(k[n/2])<<8 | uint64(k[n-1])<<16, 0
	}
	return 0, 0
}

// keyHash returns the slot of a key's words and length in a table of
// 1<<(64-shift) slots: the high bits of a multiplicative hash.
func keyHash(lo, hi uint64, n int, shift uint8) uint64 {
	return (lo ^ bits.RotateLeft64(hi, 29) ^ uint64(n)) * 0x9E3779B97F4A7C15 >> shift
}
