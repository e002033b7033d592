package window

import (
	"bytes"
	"hash/maphash"
)

// keyIndex maps the keys of a topList to their entries: an open-addressing
// table of (hash, index) pairs with linear probing and at most half of its
// slots used. A top list looks up eight keys per request and, once it
// counts approximately, replaces one key of its table on most requests of
// a long tail; a Go map's string keys cost a hash, a probe and a deletion
// and insertion in its groups each time, where this costs one hash and a
// probe or two over a flat array, and deletions shift the run back instead
// of leaving tombstones, so lookups stay short however many keys change.
type keyIndex struct {
	slots []slot
	n     int
	mask  uint64
}

// slot is a used slot when idx > 0: the entry is idx-1. It holds the top
// half of the key's hash, the bottom half being where the slot is, give or
// take the probe, so that a slot is 8 bytes and more of them stay cached.
type slot struct {
	tag uint32
	idx int32
}

func tagOf(hash uint64) uint32 { return uint32(hash >> 32) }

// keySeed is random per process: the table's order never shows in the
// output, and a seed nobody knows gives no input a way to make its keys
// collide. (The fixed hash64 of the sections would do, but at a byte a
// step it costs ten times as much for a user agent.)
var keySeed = maphash.MakeSeed()

func hashKey(key []byte) uint64 { return maphash.Bytes(keySeed, key) }

// find returns the index of the entry whose key is key, hash its hash, or
// -1.
func (x *keyIndex) find(key []byte, hash uint64, entries []topEntry) int32 {
	if x.n == 0 {
		return -1
	}
	for i := hash & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.idx == 0 {
			return -1
		}
		if s.tag == tagOf(hash) && bytes.Equal(entries[s.idx-1].key, key) {
			return s.idx - 1
		}
	}
}

// put records that entry idx has a key of this hash, not in the table.
func (x *keyIndex) put(hash uint64, idx int32, entries []topEntry) {
	if 2*(x.n+1) > len(x.slots) {
		x.grow(entries)
	}
	i := hash & x.mask
	for x.slots[i].idx != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = slot{tag: tagOf(hash), idx: idx + 1}
	x.n++
}

// remove deletes the slot of entry idx, whose key has this hash, and
// moves later slots of the run back so that no probe stops short.
func (x *keyIndex) remove(hash uint64, idx int32, entries []topEntry) {
	i := hash & x.mask
	for x.slots[i].idx != idx+1 {
		i = (i + 1) & x.mask
	}
	x.n--
	for {
		x.slots[i] = slot{}
		j := i
		for {
			j = (j + 1) & x.mask
			s := x.slots[j]
			if s.idx == 0 {
				return
			}
			// A slot may move back to i only if its home is not in
			// (i, j], cyclically.
			home := entries[s.idx-1].hash & x.mask
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				x.slots[i] = s
				i = j
				break
			}
		}
	}
}

func (x *keyIndex) grow(entries []topEntry) {
	old := x.slots
	size := max(64, 2*len(old))
	x.slots = make([]slot, size)
	x.mask = uint64(size - 1)
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		i := entries[s.idx-1].hash & x.mask
		for x.slots[i].idx != 0 {
			i = (i + 1) & x.mask
		}
		x.slots[i] = s
	}
}
