package event

import "encoding/binary"

// SWAR constants: every byte of a uint64 set to 0x01 or 0x80.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns a non-zero value if any byte of x is a control character
// (below 0x20), '"' or '\\': the bytes a JSON string cannot hold as they
// are. The test is exact for the word as a whole, not for each byte.
func special(x uint64) uint64 {
	ctl := (x - ones*0x20) &^ x
	q := x ^ (ones * '"')
	q = (q - ones) &^ q
	bs := x ^ (ones * '\\')
	bs = (bs - ones) &^ bs
	return (ctl | q | bs) & highs
}

// isSpecial is special for one byte.
func isSpecial(c byte) bool { return c < 0x20 || c == '"' || c == '\\' }

// plainASCII reports whether b is printable ASCII without '"' or '\\', which
// JSON and jsoniter's encoder both write as it is. Log fields almost always
// are, so this cheap check, eight bytes at a time, saves the UTF-8 check and
// the escaping loop.
func plainASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&highs != 0 || special(x) != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c >= 0x80 || isSpecial(c) {
			return false
		}
	}
	return true
}

// plainPrefix returns the length of the longest prefix of b without a
// control character, '"' or '\\'. In a JSON string, the byte that ends the
// prefix is the closing quote if the string needs no unescaping.
func plainPrefix(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if special(binary.LittleEndian.Uint64(b[i:])) != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if isSpecial(b[i]) {
			return i
		}
	}
	return i
}
