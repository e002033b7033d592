package window

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeyIndexMatchesMap checks the open-addressing index against a map
// through random insertions and removals, with a table small enough that
// runs wrap around its end and removals shift them back, and keys both
// held in their entries and stored in slabs.
func TestKeyIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	l := newTopList(1 << 20)
	ref := map[string]int32{}
	free := []int32{}
	for step := range 20000 {
		k := []byte(fmt.Sprint(rng.IntN(60)))
		if rng.IntN(2) == 0 {
			k = fmt.Appendf(nil, "%s-a-key-too-long-for-an-entry-%s", k, k)
		}
		i, ok := ref[string(k)]
		if got := l.find(k, hashKey(k)); got != map[bool]int32{true: i, false: -1}[ok] {
			t.Fatalf("step %d: find(%s) = %d, want %d (%v)", step, k, got, i, ok)
		}
		switch {
		case ok && rng.IntN(2) == 0:
			l.index.remove(l.entries[i].tag, i)
			delete(ref, string(k))
			free = append(free, i)
		case !ok:
			if n := len(free); n > 0 {
				i, free = free[n-1], free[:n-1]
			} else {
				i = int32(len(l.entries))
				l.entries = append(l.entries, topEntry{})
			}
			e := &l.entries[i]
			l.setKey(e, k)
			e.tag = tagOf(hashKey(k))
			l.index.put(e.tag, i)
			ref[string(k)] = i
		}
		if l.index.n != len(ref) {
			t.Fatalf("step %d: %d keys, want %d", step, l.index.n, len(ref))
		}
	}
}
