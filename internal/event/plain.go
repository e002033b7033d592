package event

import (
	"bytes"
	"encoding/binary"
)

// SWAR constants: every byte of a uint64 set to 0x01 or 0x80. The word
// tests below are exact for a word as a whole (a borrow only crosses from a
// byte that already matched), not byte by byte.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func load(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// zeroBytes has high bits set in a word iff one of x's bytes is zero.
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x }

// unplain has high bits set in a word iff one of x's bytes is a control
// character, '"', '\\' or not ASCII.
func unplain(x uint64) uint64 {
	return (x - ones*0x20) | x | zeroBytes(x^(ones*'"')) | zeroBytes(x^(ones*'\\'))
}

// plainByte is unplain for one byte: false for what unplain finds.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainASCII reports whether b is printable ASCII without '"' or '\\', which
// JSON and jsoniter's encoder both write as it is. Log fields almost always
// are, so this cheap check, eight bytes at a time, saves the UTF-8 check and
// the escaping loop.
func plainASCII(b []byte) bool {
	n := len(b)
	if n < 8 {
		for _, c := range b {
			if !plainByte[c] {
				return false
			}
		}
		return true
	}
	// The last word overlaps the one before rather than going byte by byte.
	acc := unplain(load(b[n-8:]))
	for ; len(b) > 8; b = b[8:] {
		acc |= unplain(load(b))
	}
	return acc&highs == 0
}

// hasControlOrBackslash reports whether b has a byte below 0x20, which a
// JSON string cannot hold and JSON allows outside strings only as
// whitespace, or a '\\', which starts an escape. One pass finds both.
func hasControlOrBackslash(b []byte) bool {
	n := len(b)
	if n < 8 {
		for _, c := range b {
			if c < 0x20 || c == '\\' {
				return true
			}
		}
		return false
	}
	// The last word overlaps the one before rather than going byte by
	// byte; four words a step take one bounds check and keep four tests
	// in flight.
	acc := controlOrBackslash(load(b[n-8:]))
	i := 0
	for ; i+32 <= n; i += 32 {
		w := b[i : i+32 : i+32]
		acc |= controlOrBackslash(load(w)) | controlOrBackslash(load(w[8:])) |
			controlOrBackslash(load(w[16:])) | controlOrBackslash(load(w[24:]))
	}
	for ; i+8 <= n; i += 8 {
		acc |= controlOrBackslash(load(b[i:]))
	}
	return acc&highs != 0
}

// hasControl reports whether b has a byte below 0x20.
func hasControl(b []byte) bool {
	n := len(b)
	if n < 8 {
		for _, c := range b {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	acc := (load(b[n-8:]) - ones*0x20) &^ load(b[n-8:])
	for ; len(b) > 8; b = b[8:] {
		x := load(b)
		acc |= (x - ones*0x20) &^ x
	}
	return acc&highs != 0
}

// controlOrBackslash has high bits set in a word iff one of x's bytes is a
// control character or '\\'.
func controlOrBackslash(x uint64) uint64 {
	return (x-ones*0x20)&^x | zeroBytes(x^(ones*'\\'))
}

// plainRecord reports whether line, a record as appendPlainRequest writes
// it with quotes quotes of its own, is its JSON: printable ASCII, no
// backslash, and no quote in a value.
func plainRecord(line []byte, quotes int) bool {
	return printable(line) && bytes.IndexByte(line, '\\') < 0 && bytes.Count(line, quote) == quotes
}

var quote = []byte{'"'}

// printable reports whether every byte of b is printable ASCII or DEL,
// 0x20 to 0x7f, as JSON may hold as it is but for '"' and '\\'.
func printable(b []byte) bool {
	n := len(b)
	if n < 8 {
		for _, c := range b {
			if c < 0x20 || c >= 0x80 {
				return false
			}
		}
		return true
	}
	// The last word overlaps the one before rather than going byte by
	// byte; four words a step take one bounds check.
	acc := unprintable(load(b[n-8:]))
	i := 0
	for ; i+32 <= n; i += 32 {
		w := b[i : i+32 : i+32]
		acc |= unprintable(load(w)) | unprintable(load(w[8:])) | unprintable(load(w[16:])) | unprintable(load(w[24:]))
	}
	for ; i+8 <= n; i += 8 {
		acc |= unprintable(load(b[i:]))
	}
	return acc&highs == 0
}

// unprintable has high bits set in a word iff one of x's bytes is below
// 0x20 or above 0x7f.
func unprintable(x uint64) uint64 { return (x - ones*0x20) | x }
