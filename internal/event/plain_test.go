package event

import (
	"math/rand/v2"
	"testing"
)

// TestPlainBytewise checks the eight-bytes-at-a-time scans against a plain
// loop, with every byte value at every position of lines of several
// lengths (past the 32 bytes that some take a step), alone and next to a
// second random byte.
func TestPlainBytewise(t *testing.T) {
	slowASCII := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	slowControlOrBackslash := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c == '\\' {
				return true
			}
		}
		return false
	}
	slowControl := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	slowPrintable := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x80 {
				return false
			}
		}
		return true
	}
	slowQuoteIn16 := func(b []byte) int {
		if len(b) < 16 {
			return -1
		}
		for i, c := range b[:16] {
			if c == '"' {
				return i
			}
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 70; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = byte(0x20 + rng.IntN(0x5f))
					if b[i] == '"' || b[i] == '\\' {
						b[i] = 'a'
					}
				}
				b[pos] = byte(c)
				if rng.IntN(4) == 0 {
					b[rng.IntN(n)] = byte(rng.IntN(256))
				}
				if got, want := plainASCII(b), slowASCII(b); got != want {
					t.Fatalf("plainASCII(%q) = %v, want %v", b, got, want)
				}
				if got, want := hasControlOrBackslash(b), slowControlOrBackslash(b); got != want {
					t.Fatalf("hasControlOrBackslash(%q) = %v, want %v", b, got, want)
				}
				if got, want := hasControl(b), slowControl(b); got != want {
					t.Fatalf("hasControl(%q) = %v, want %v", b, got, want)
				}
				if got, want := printable(b), slowPrintable(b); got != want {
					t.Fatalf("printable(%q) = %v, want %v", b, got, want)
				}
				if got, want := quoteIn16(b), slowQuoteIn16(b); got != want {
					t.Fatalf("quoteIn16(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
