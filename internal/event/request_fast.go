package event

import "bytes"

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
func fastRequest(line []byte, r *Request) bool {
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
	for {
		// A key, then its colon.
		if i >= n || line[i] != '"' {
			return false
		}
		k, kl := matchKey(line[i:])
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
			ve := vs + bytes.IndexByte(line[vs:], '"')
			if ve < vs {
				return false
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
