package window

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// keyIndex maps the keys of a topList to their entries: an open-addressing
// table of (hash, index) pairs with linear probing and at most three
// quarters of its slots used. A top list looks up eight keys per request
// and, once it counts approximately, replaces one key of its table on
// many requests of a long tail; a Go map's string keys cost a hash, a
// probe and a deletion and insertion in its groups each time, where this
// costs one hash and a probe or two over a flat array, and deletions shift
// the run back instead of leaving tombstones, so lookups stay short however
// many keys change.
type keyIndex struct {
	slots []slot
	n     int
	mask  uint64
}

// slot is a used slot when idx > 0: the entry is idx-1. It holds the low
// half of the key's hash, so that a slot is 8 bytes and more of them stay
// cached, and so that moving slots, which needs where each belongs, reads
// nothing else: its home is tag&mask (a table has fewer than 2³² slots).
type slot struct {
	tag uint32
	idx int32
}

func tagOf(hash uint64) uint32 { return uint32(hash) }

// keySeed and shortSeed are random per process: the table's order never
// shows in the output, and a seed nobody knows gives no input a way to
// make its keys collide. (The fixed hash64 of the sections would do, but
// at a byte a step it costs ten times as much for a user agent.)
var (
	keySeed   = maphash.MakeSeed()
	shortSeed = [3]uint64{rand.Uint64(), rand.Uint64(), rand.Uint64()}
)

// hashKey returns the hash of key in the index.
func hashKey(key []byte) uint64 {
	w0, w1 := keyWords(key)
	return keyHash(key, w0, w1)
}

// keyHash is hashKey for a key whose keyWords are w0 and w1. A key of at
// most 16 bytes, a client address, a section and many paths, is all in
// its words and its length, and is hashed from them with two 128-bit
// multiplications, as wyhash (the hash of Go's maps where the processor
// has no AES) mixes its last 16 bytes, seeded per process like maphash:
// a few instructions where maphash costs a call and a loop.
func keyHash(key []byte, w0, w1 uint64) uint64 {
	if len(key) > 16 {
		return maphash.Bytes(keySeed, key)
	}
	return mix(mix(w0^shortSeed[0], w1^shortSeed[1]), uint64(len(key))^shortSeed[2])
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// find returns the index of the entry whose key is key, hash its hash, or
// -1.
func (l *topList) find(key []byte, hash uint64) int32 {
	x := &l.index
	if x.n == 0 {
		return -1
	}
	tag := tagOf(hash)
	for i := hash & x.mask; ; i = (i + 1) & x.mask {
		s := x.slots[i]
		if s.idx == 0 {
			return -1
		}
		if s.tag == tag {
			if e := &l.entries[s.idx-1]; int(e.n) == len(key) && bytes.Equal(l.keyOf(e), key) {
				return s.idx - 1
			}
		}
	}
}

// put records that entry idx has a key whose hash has this tag, not in
// the table.
func (x *keyIndex) put(tag uint32, idx int32) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	i := uint64(tag) & x.mask
	for x.slots[i].idx != 0 {
		i = (i + 1) & x.mask
	}
	x.slots[i] = slot{tag: tag, idx: idx + 1}
	x.n++
}

// remove deletes the slot of entry idx, whose key's hash has this tag,
// and moves later slots of the run back so that no probe stops short.
func (x *keyIndex) remove(tag uint32, idx int32) {
	i := uint64(tag) & x.mask
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
			home := uint64(s.tag) & x.mask
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				x.slots[i] = s
				i = j
				break
			}
		}
	}
}

func (x *keyIndex) grow() {
	old := x.slots
	size := max(64, 2*len(old))
	x.slots = make([]slot, size)
	x.mask = uint64(size - 1)
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		i := uint64(s.tag) & x.mask
		for x.slots[i].idx != 0 {
			i = (i + 1) & x.mask
		}
		x.slots[i] = s
	}
}
