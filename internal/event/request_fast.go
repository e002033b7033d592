package event

import (
	"bytes"
	"math/bits"
)

// fastRequest decodes the records that httpmon-parse writes, and any
// record as plain: no whitespace, no backslash or control character
// anywhere, numbers of at most 15 digits without an exponent, string and
// number values only and objects of strings for fields,
// ts present and every value in range. Strings are sliced out of line
// rather than copied. Anything else, including every record with an error,
// makes it return false, possibly having written to r, and Request decodes
// the line the general way, which also explains what is wrong. The two
// ways agree on every line that fastRequest accepts; FuzzFastRequest
// checks it.
//
// g guesses each key from the one before it, as every record of one writer
// has its keys in one order, and learns from line where it guessed wrong.
func fastRequest(line []byte, r *Request, g *keyGuess) bool {
	r.Reset()
	n := len(line)
	if n < 2 || line[0] != '{' || line[n-1] != '}' {
		return false
	}
	// Without a backslash, every '"' in the line delimits a string, so
	// finding the end of a string is a search for the next one.
	if hasControlOrBackslash(line) {
		return false
	}
	hasTS := false
	i := 1
	if n > len(kindRequestMember) && load(line) == kindRequestWords[0] && load(line[8:]) == kindRequestWords[1] &&
		line[16] == '"' && line[17] == ',' {
		// The kind, which a Request does not hold, as httpmon writes
		// it first.
		i = len(kindRequestMember)
	}
	prev := keyStart
	for {
		// A key, then its colon.
		if i >= n || line[i] != '"' {
			return false
		}
		k, kl := int(g[prev]), 0
		if !keyAt(line[i:], k) {
			k, kl = matchKey(line[i:])
			g[prev] = uint8(k)
		} else {
			kl = int(keyCodes[k].n)
		}
		prev = k
		if kl > 0 {
			i += kl
		} else {
			ks := i + 1
			ke := ks + bytes.IndexByte(line[ks:], '"')
			// An empty key ends jsoniter's ReadObject loops as if the
			// object ended, and the general decoder rejects the line.
			if ke <= ks || ke+1 >= n || line[ke+1] != ':' {
				return false
			}
			i = ke + 2
		}
		if i >= n {
			return false
		}
		f := &requestFields[k]
		switch c := line[i]; {
		case c == '"':
			vs := i + 1
			ve := vs + quoteIn16(line[vs:])
			if ve < vs {
				ve = vs + bytes.IndexByte(line[vs:], '"')
				if ve < vs {
					return false
				}
			}
			i = ve + 1
			switch f.typ {
			case textField:
				*fieldOf[[]byte](r, f) = line[vs:ve:ve]
			case otherField:
			default:
				return false
			}
		case c == '{':
			if f.typ != pairsField {
				return false
			}
			if i = fastPairs(line, i, r); i < 0 {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			var v int64
			var scale int
			if v, scale, i = fastNumber(line, i); i < 0 || !fastSet(r, f, v, scale) {
				return false
			}
			if f.typ == tsField {
				hasTS = true
			}
		default:
			return false
		}
		// Then a comma and the next field, or the end of the line.
		if i >= n {
			return false
		}
		if line[i] == ',' {
			i++
			continue
		}
		return line[i] == '}' && i == n-1 && hasTS
	}
}

// fastNumber reads the number at line[i:], which starts with '-' or a
// digit, if it has at most 15 digits and no exponent, and returns its
// digits as an integer v, how many of them are after the decimal point (-1
// for an integer), and the index after it; or -1 for the index for
// anything else. Fifteen digits stay below 2⁵³, where float64 holds every
// integer, so that v / 10^scale is the float64 nearest the number, the
// one that strconv and jsoniter, dividing the same way, read.
func fastNumber(line []byte, i int) (v int64, scale, next int) {
	neg := line[i] == '-'
	if neg {
		i++
	}
	ds := i
	for ; i < len(line) && line[i]-'0' <= 9; i++ {
		v = v*10 + int64(line[i]-'0')
	}
	nd := i - ds
	if nd == 0 || nd > 1 && line[ds] == '0' {
		return 0, 0, -1
	}
	scale = -1
	if i < len(line) && line[i] == '.' {
		i++
		fs := i
		for ; i < len(line) && line[i]-'0' <= 9; i++ {
			v = v*10 + int64(line[i]-'0')
		}
		if scale = i - fs; scale == 0 {
			return 0, 0, -1
		}
		nd += scale
	}
	if nd > 15 {
		return 0, 0, -1
	}
	if neg {
		v = -v
	}
	return v, scale, i
}

// pow10 holds the powers of ten that fastNumber's scales divide by,
// exactly.
var pow10 = [16]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastSet stores the number v/10^scale that fastNumber read into r's field
// f, if it is in range, and reports whether it did; the fast path leaves
// fractions of whole numbers to the general decoder, which rounds them.
func fastSet(r *Request, f *requestField, v int64, scale int) bool {
	if f.typ == otherField {
		return true
	}
	if f.typ == secondsField {
		if v < 0 {
			return false
		}
		s := float64(v)
		if scale > 0 {
			s /= pow10[scale]
		}
		if s >= MaxSeconds {
			return false
		}
		*fieldOf[float64](r, f) = s
		return true
	}
	if scale >= 0 {
		return false
	}
	switch f.typ {
	case tsField:
		if v < MinTS || v > MaxTS {
			return false
		}
		r.TS = v
	case offsetField:
		if v < -MaxOffset || v > MaxOffset {
			return false
		}
		r.UTCOffset = int32(v)
	case statusField:
		if v < 0 || v > MaxStatus {
			return false
		}
		r.Status = int(v)
	case sizeField:
		// Fifteen digits are below MaxCount.
		if v < 0 {
			return false
		}
		*fieldOf[int64](r, f) = v
	default:
		return false
	}
	return true
}

// fastPairs reads the object of plain strings at line[i:] into r.Fields
// and returns the index after it, or -1 for anything else.
func fastPairs(line []byte, i int, r *Request) int {
	r.Fields = r.Fields[:0]
	n := len(line)
	i++
	if i < n && line[i] == '}' {
		return i + 1
	}
	for {
		// "name":"value"; an empty name ends jsoniter's ReadObject loop.
		if i >= n || line[i] != '"' {
			return -1
		}
		ns := i + 1
		ne := ns + bytes.IndexByte(line[ns:], '"')
		if ne <= ns || ne+2 >= n || line[ne+1] != ':' || line[ne+2] != '"' {
			return -1
		}
		vs := ne + 3
		ve := vs + bytes.IndexByte(line[vs:], '"')
		if ve < vs {
			return -1
		}
		r.Fields = append(r.Fields, Field{Name: line[ns:ne:ne], Value: line[vs:ve:ve]})
		i = ve + 1
		if i >= n {
			return -1
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// has reports whether b starts with lit.
func has(b []byte, lit string) bool {
	return len(b) >= len(lit) && string(b[:len(lit)]) == lit
}

// quoteIn16 returns the index in b of its first '"' if b has 16 bytes and
// the quote is among them, or -1. Most strings of a record are short (a
// method, a protocol, an address, a section), and two words tested in line
// find their end where a call of bytes.IndexByte costs more than the
// search.
func quoteIn16(b []byte) int {
	if len(b) < 16 {
		return -1
	}
	if m := zeroBytes(load(b)^ones*'"') & highs; m != 0 {
		return bits.TrailingZeros64(m) >> 3
	}
	if m := zeroBytes(load(b[8:])^ones*'"') & highs; m != 0 {
		return 8 + bits.TrailingZeros64(m)>>3
	}
	return -1
}

// kindRequestMember is how httpmon's encoders start a request record.
const kindRequestMember = `{"kind":"` + KindRequest + `",`

// kindRequestWords are the first two words of kindRequestMember.
var kindRequestWords = [2]uint64{load([]byte(kindRequestMember)), load([]byte(kindRequestMember)[8:])}

// keyStart is the index in a keyGuess of the guess for a record's first
// key.
const keyStart = numKeys

// keyGuess holds, for each key and for the start of a record, the key
// that followed it in the last record decoded: keyOther, which is never
// guessed, until then.
type keyGuess [numKeys + 1]uint8

// keyCode is a key of requestFields as keyAt compares it: its words,
// zero past its end, the masks that keep its bytes of a word, and its
// length.
type keyCode struct {
	w, m [3]uint64
	n    uint8
}

var keyCodes = func() (c [numKeys]keyCode) {
	for k := keyOther + 1; k < numKeys; k++ {
		key := requestFields[k].key()
		if len(key) > 24 {
			panic("key longer than keyAt compares: " + key)
		}
		for i := range len(key) {
			c[k].w[i/8] |= uint64(key[i]) << (8 * (i % 8))
			c[k].m[i/8] |= 0xff << (8 * (i % 8))
		}
		c[k].n = uint8(len(key))
	}
	return c
}()

// keyAt reports whether b starts with key k, which is not keyOther, when
// b has three words; b without them and keyOther make it false, and the
// caller goes on to matchKey. One comparison of three masked words, where
// matchKey tests a letter and then each key that starts with it.
func keyAt(b []byte, k int) bool {
	if k == keyOther || len(b) < 24 {
		return false
	}
	c := &keyCodes[k]
	return (load(b)&c.m[0]^c.w[0])|(load(b[8:])&c.m[1]^c.w[1])|(load(b[16:])&c.m[2]^c.w[2]) == 0
}
