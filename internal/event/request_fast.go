package event

import "bytes"

// fastRequest decodes the records that httpmon-parse writes, and any
// record as plain: no whitespace, no backslash or control character
// anywhere, integers of at most 15 digits, string and number values only,
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
		case c == '-' || c >= '0' && c <= '9':
			var v int64
			if v, i = fastInt(line, i); i < 0 {
				return false
			}
			switch f.typ {
			case otherField:
			case tsField:
				if v < MinTS || v > MaxTS {
					return false
				}
				r.TS, hasTS = v, true
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

// fastInt reads the integer of at most 15 digits at line[i:], which starts
// with '-' or a digit, and returns it and the index after it, or -1 for
// anything else: 15 digits stay below 2⁵³, where float64, as the general
// decoder reads numbers, holds every integer.
func fastInt(line []byte, i int) (int64, int) {
	neg := line[i] == '-'
	if neg {
		i++
	}
	ds := i
	var v int64
	for ; i < len(line) && line[i] >= '0' && line[i] <= '9'; i++ {
		v = v*10 + int64(line[i]-'0')
	}
	if nd := i - ds; nd == 0 || nd > 15 || nd > 1 && line[ds] == '0' {
		return 0, -1
	}
	if neg {
		v = -v
	}
	return v, i
}

// has reports whether b starts with lit.
func has(b []byte, lit string) bool {
	return len(b) >= len(lit) && string(b[:len(lit)]) == lit
}
