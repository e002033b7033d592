package logfmt

import "math/bits"

// keyTable finds the child of a jsonNode by key. It does what the node's
// children map does, but a map lookup hashes the whole key with aeshash
// and costs as much as scanning a short string twice; a line has a lookup
// per key, so the table hashes only the key's length and three of its
// bytes, which tell the keys of real layouts apart, and resolves the rare
// collision by probing.
type keyTable struct {
	slots []keySlot // a power of two of them, at most half full
	shift uint8     // 32 - log2(len(slots))
}

type keySlot struct {
	key  string
	node *jsonNode // nil for an empty slot
}

// freeze builds the key tables of n and the nodes under it, once the
// layout is complete.
func (n *jsonNode) freeze() {
	if len(n.children) == 0 {
		return
	}
	size := 2
	for size < 2*len(n.children) {
		size *= 2
	}
	t := keyTable{slots: make([]keySlot, size), shift: uint8(32 - bits.TrailingZeros(uint(size)))}
	mask := uint32(size - 1)
	for key, c := range n.children {
		h := keyHash(key) >> t.shift
		for t.slots[h].node != nil {
			h = (h + 1) & mask
		}
		t.slots[h] = keySlot{key, c}
		c.freeze()
	}
	n.keys = t
}

// find returns the child with the key, or nil.
func (t *keyTable) find(key []byte) *jsonNode {
	if len(t.slots) == 0 {
		return nil
	}
	mask := uint32(len(t.slots) - 1)
	for h := keyHash(key) >> t.shift; ; h = (h + 1) & mask {
		s := &t.slots[h]
		if s.node == nil || s.key == string(key) {
			return s.node
		}
	}
}

// keyHash mixes the length and the first, middle and last bytes of a key
// into the high bits of a multiplicative hash.
func keyHash[S string | []byte](key S) uint32 {
	n := len(key)
	if n == 0 {
		return 0
	}
	x := uint32(n) | uint32(key[0])<<8 | uint32(key[n/2])<<16 | uint32(key[n-1])<<24
	x ^= x >> 15
	return x * 0x9E3779B1
}
