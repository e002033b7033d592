package event

import (
	"math/rand/v2"
	"testing"
)

// TestPlainBytewise checks the eight-bytes-at-a-time scans against a plain
// loop over every byte value at every position of words of several lengths.
func TestPlainBytewise(t *testing.T) {
	slowPrefix := func(b []byte) int {
		for i, c := range b {
			if isSpecial(c) {
				return i
			}
		}
		return len(b)
	}
	slowASCII := func(b []byte) bool {
		for _, c := range b {
			if c >= 0x80 || isSpecial(c) {
				return false
			}
		}
		return true
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = byte(0x20 + rng.IntN(0x5f))
					if isSpecial(b[i]) {
						b[i] = 'a'
					}
				}
				b[pos] = byte(c)
				if got, want := plainPrefix(b), slowPrefix(b); got != want {
					t.Fatalf("plainPrefix(%q) = %d, want %d", b, got, want)
				}
				if got, want := plainASCII(b), slowASCII(b); got != want {
					t.Fatalf("plainASCII(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
