package event

import "bytes"

// fastRequest decodes the records that httpmon-parse writes, and any
// record as plain: no whitespace, no backslash or control character
// anywhere, integers of at most 15 digits, string and number values only,
// ts present and every value in range. Strings are sliced out of line rather than copied. Anything else,
// including every record with an error, makes it return false, possibly
// having written to r, and Request decodes the line the general way, which
// also explains what is wrong. The two ways agree on every line that
// fastRequest accepts; FuzzFastRequest checks it.
func fastRequest(line []byte, r *Request) bool {
	*r = Request{Bytes: -1}
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
		id, kl := matchKey(line[i:])
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
		switch c := line[i]; {
		case c == '"':
			vs := i + 1
			ve := vs + bytes.IndexByte(line[vs:], '"')
			if ve < vs {
				return false
			}
			i = ve + 1
			if id >= keySource {
				*r.text(id) = line[vs:ve:ve]
			} else if id != keyOther {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			neg := c == '-'
			if neg {
				i++
			}
			ds := i
			var v int64
			for ; i < n && line[i] >= '0' && line[i] <= '9'; i++ {
				v = v*10 + int64(line[i]-'0')
			}
			if nd := i - ds; nd == 0 || nd > 15 || nd > 1 && line[ds] == '0' {
				return false
			}
			if neg {
				v = -v
			}
			switch id {
			case keyOther:
			case keyTS:
				if v < MinTS || v > MaxTS {
					return false
				}
				r.TS, hasTS = v, true
			case keyOffset:
				if v < -MaxOffset || v > MaxOffset {
					return false
				}
				r.UTCOffset = int32(v)
			case keyStatus:
				if v < 0 || v > MaxStatus {
					return false
				}
				r.Status = int(v)
			case keyBytes:
				if v < 0 {
					return false
				}
				r.Bytes = v
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

// Request fields as fastRequest knows them: numbers first, then strings.
const (
	keyOther = iota // a key Request does not read
	keyTS
	keyOffset
	keyStatus
	keyBytes
	keySource
	keyRemoteHost
	keyIdent
	keyUser
	keyMethod
	keyPath
	keyProtocol
	keyRequest
	keySection
	keyReferer
	keyUserAgent
)

// text returns the string field of r for a key from keySource on.
func (r *Request) text(key int) *[]byte {
	switch key {
	case keySource:
		return &r.Source
	case keyRemoteHost:
		return &r.RemoteHost
	case keyIdent:
		return &r.Ident
	case keyUser:
		return &r.User
	case keyMethod:
		return &r.Method
	case keyPath:
		return &r.Path
	case keyProtocol:
		return &r.Protocol
	case keyRequest:
		return &r.Request
	case keySection:
		return &r.Section
	case keyReferer:
		return &r.Referer
	default:
		return &r.UserAgent
	}
}

// matchKey recognises a Request key with its quotes and colon at the start
// of b, like `"path":`, by comparing with the few keys that share its first
// letter. It returns the key and the length matched, or 0, 0 for keys it
// does not know, which the caller then finds the end of.
func matchKey(b []byte) (key, n int) {
	if len(b) < 2 {
		return keyOther, 0
	}
	var k int
	var lit string
	switch b[1] {
	case 't':
		k, lit = keyTS, `"ts":`
	case 'u':
		switch {
		case has(b, `"user":`):
			return keyUser, len(`"user":`)
		case has(b, `"user_agent":`):
			return keyUserAgent, len(`"user_agent":`)
		}
		k, lit = keyOffset, `"utc_offset":`
	case 's':
		switch {
		case has(b, `"source":`):
			return keySource, len(`"source":`)
		case has(b, `"status":`):
			return keyStatus, len(`"status":`)
		}
		k, lit = keySection, `"section":`
	case 'r':
		switch {
		case has(b, `"remote_host":`):
			return keyRemoteHost, len(`"remote_host":`)
		case has(b, `"request":`):
			return keyRequest, len(`"request":`)
		}
		k, lit = keyReferer, `"referer":`
	case 'i':
		k, lit = keyIdent, `"ident":`
	case 'm':
		k, lit = keyMethod, `"method":`
	case 'p':
		if has(b, `"path":`) {
			return keyPath, len(`"path":`)
		}
		k, lit = keyProtocol, `"protocol":`
	case 'b':
		k, lit = keyBytes, `"bytes":`
	default:
		return keyOther, 0
	}
	if has(b, lit) {
		return k, len(lit)
	}
	return keyOther, 0
}

// has reports whether b starts with lit.
func has(b []byte, lit string) bool {
	return len(b) >= len(lit) && string(b[:len(lit)]) == lit
}
