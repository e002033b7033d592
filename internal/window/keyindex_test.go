package window

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeyIndexMatchesMap checks the open-addressing index against a map
// through random insertions and removals, with a table small enough that
// runs wrap around its end and removals shift them back.
func TestKeyIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var x keyIndex
	var entries []topEntry
	ref := map[string]int32{}
	free := []int32{}
	for step := range 20000 {
		k := []byte(fmt.Sprint(rng.IntN(60)))
		i, ok := ref[string(k)]
		if got := x.find(k, hashKey(k), entries); got != map[bool]int32{true: i, false: -1}[ok] {
			t.Fatalf("step %d: find(%s) = %d, want %d (%v)", step, k, got, i, ok)
		}
		switch {
		case ok && rng.IntN(2) == 0:
			x.remove(entries[i].hash, i, entries)
			delete(ref, string(k))
			free = append(free, i)
		case !ok:
			if n := len(free); n > 0 {
				i, free = free[n-1], free[:n-1]
				entries[i] = topEntry{key: k, hash: hashKey(k)}
			} else {
				i = int32(len(entries))
				entries = append(entries, topEntry{key: k, hash: hashKey(k)})
			}
			x.put(entries[i].hash, i, entries)
			ref[string(k)] = i
		}
		if x.n != len(ref) {
			t.Fatalf("step %d: %d keys, want %d", step, x.n, len(ref))
		}
	}
}
