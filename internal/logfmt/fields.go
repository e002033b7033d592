package logfmt

import (
	"bytes"

	"github.com/httpmon/httpmon/internal/event"
)

// This file holds what the W3C, cloud and proxy parsers share: reading
// blank-separated fields that may be quoted, decimal numbers, URLs and
// ISO 8601 dates.

// nextField returns the blank-separated field that starts at or after
// line[i:], without its quotes if it is quoted, and the index after it. A
// quoted field ends at the first '"' not escaped by a backslash; one that
// is not closed runs to the end of the line, since logs cut long requests
// and user agents short. ok is false at the end of the line.
func nextField(line []byte, i int) (field []byte, next int, ok bool) {
	i = skipSep(line, i)
	if i == len(line) {
		return nil, i, false
	}
	if line[i] != '"' {
		j := tokenEnd(line, i)
		return line[i:j], j, true
	}
	end := quoteEnd(line, i+1)
	if end < 0 {
		return line[i+1:], len(line), true
	}
	return line[i+1 : end], end + 1, true
}

// parseDecimal parses an unsigned decimal number with an optional
// fraction, "12", "0.000073", as logs write durations. Up to 15
// significant digits and a fraction of up to 9 digits: float64 then holds
// the mantissa exactly and one division by an exact power of ten rounds
// correctly, so the result is what strconv.ParseFloat gives, without its
// string.
func parseDecimal(b []byte) (float64, bool) {
	var mant int64
	digits, frac := 0, -1
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits == 15 {
				return 0, false
			}
			if mant > 0 || c != '0' {
				digits++
			}
			mant = mant*10 + int64(c-'0')
		case c == '.' && frac < 0 && i > 0 && i < len(b)-1:
			frac = i
		default:
			return 0, false
		}
	}
	if len(b) == 0 {
		return 0, false
	}
	if frac < 0 {
		return float64(mant), true
	}
	n := len(b) - frac - 1
	if n > 9 {
		return 0, false
	}
	return float64(mant) / pow10[n], true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// seconds parses a duration in seconds; "-1" and "-", which logs write for
// a time they could not take, are absent (-1), and so is anything else
// that is not a number, since a duration never fails a line.
func seconds(b []byte) float64 {
	if v, ok := parseDecimal(b); ok {
		return v
	}
	return -1
}

// millis is seconds for a duration logged in milliseconds.
func millis(b []byte) float64 {
	if v, ok := parseDecimal(b); ok {
		return v / 1000
	}
	return -1
}

// urlParts returns the scheme and host (without a port) of an absolute
// URL, "https://example.com:443/a", or of the "host:port" target of
// CONNECT; other targets have neither.
func urlParts(u []byte) (scheme, host []byte) {
	rest := u
	if i := bytes.Index(u, []byte("://")); i > 0 && methodEnd(u) >= i {
		scheme, rest = u[:i], u[i+3:]
	} else if c := bytes.LastIndexByte(u, ':'); c <= 0 || u[0] == '/' {
		return nil, nil
	} else if _, ok := parseUint(u[c+1:]); !ok {
		return nil, nil
	}
	end := len(rest)
	for j, c := range rest {
		if c == '/' || c == '?' || c == '#' {
			end = j
			break
		}
	}
	host = rest[:end]
	if at := bytes.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	return scheme, stripPort(host)
}

// stripPort returns host without a ":port", keeping IPv6 addresses,
// "[2001:db8::1]:443" → "[2001:db8::1]".
func stripPort(host []byte) []byte {
	c := bytes.LastIndexByte(host, ':')
	if c < 0 || (bytes.IndexByte(host, ']') > c) || (host[0] != '[' && bytes.IndexByte(host, ':') != c) {
		return host
	}
	if _, ok := parseUint(host[c+1:]); !ok {
		return host
	}
	return host[:c]
}

// addrHost returns the address of an "address:port" field as load
// balancers and proxies log their clients, "192.0.2.1:2817" or
// "[2001:db8::1]:2817".
func addrHost(b []byte) []byte {
	b = dash(b)
	if len(b) > 0 && b[0] == '[' {
		if i := bytes.IndexByte(b, ']'); i > 0 {
			return b[1:i]
		}
	}
	if c := bytes.LastIndexByte(b, ':'); c > 0 && bytes.IndexByte(b, ':') == c {
		return b[:c]
	}
	return b
}

// setTarget sets method, path, section, scheme and host from a request
// target, for formats that log method and URL as separate fields.
func setTarget(method, target []byte, r *event.Request) {
	if len(method) == 0 || len(target) == 0 {
		return
	}
	r.Method = method
	r.Path = targetPath(target)
	r.Section = Section(r.Path)
	if len(r.Scheme) == 0 || len(r.Host) == 0 {
		scheme, host := urlParts(target)
		if len(r.Scheme) == 0 {
			r.Scheme = scheme
		}
		if len(r.Host) == 0 {
			r.Host = host
		}
	}
}

// dayCache remembers the midnight of the last date decoded, which most
// lines of a log share.
type dayCache struct {
	text     [11]byte
	n        int
	midnight int64
}

// day returns the unix time of midnight UTC of the date b, decoded by
// decode when b is not the date of the last call.
func (c *dayCache) day(b []byte, decode func([]byte) (int64, bool)) (int64, bool) {
	if c.n > 0 && string(b) == string(c.text[:c.n]) {
		return c.midnight, true
	}
	m, ok := decode(b)
	if ok && len(b) <= len(c.text) {
		c.n = copy(c.text[:], b)
		c.midnight = m
	}
	return m, ok
}

// isoDate decodes "yyyy-mm-dd" into the unix time of its midnight, UTC.
func isoDate(b []byte) (int64, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y1, ok1 := digits2(b[0], b[1])
	y2, ok2 := digits2(b[2], b[3])
	month, ok3 := digits2(b[5], b[6])
	day, ok4 := digits2(b[8], b[9])
	year := y1*100 + y2
	if !(ok1 && ok2 && ok3 && ok4) || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return 0, false
	}
	return daysFromCivil(int64(year), int64(month), int64(day)) * 86400, true
}

// clfDate decodes "dd/Mon/yyyy:" into the unix time of its midnight, UTC.
func clfDate(b []byte) (int64, bool) {
	if len(b) != 12 || b[2] != '/' || b[6] != '/' || b[11] != ':' {
		return 0, false
	}
	day, ok1 := digits2(b[0], b[1])
	month := monthNumber(b[3], b[4], b[5])
	y1, ok2 := digits2(b[7], b[8])
	y2, ok3 := digits2(b[9], b[10])
	year := y1*100 + y2
	if !(ok1 && ok2 && ok3) || month == 0 || day < 1 || day > daysIn(month, year) {
		return 0, false
	}
	return daysFromCivil(int64(year), int64(month), int64(day)) * 86400, true
}

// clockFraction decodes "HH:MM:SS" followed by an optional fraction of a
// second, ".186641", which is dropped: records carry whole seconds.
func clockFraction(b []byte) (int64, bool) {
	if len(b) < 8 {
		return 0, false
	}
	if len(b) > 8 {
		if b[8] != '.' || len(b) == 9 {
			return 0, false
		}
		for _, c := range b[9:] {
			if !isDigit(c) {
				return 0, false
			}
		}
	}
	return decodeClock(b[:8])
}

// rfc3339 decodes "yyyy-mm-ddTHH:MM:SS[.frac](Z|±hh:mm)" into unix seconds
// and the zone offset, as AWS logs their times.
func (c *dayCache) rfc3339(b []byte) (unix int64, off int32, ok bool) {
	if len(b) < 20 || b[10] != 'T' {
		return 0, 0, false
	}
	midnight, ok := c.day(b[:10], isoDate)
	if !ok {
		return 0, 0, false
	}
	zone := len(b) - 1
	if b[zone] != 'Z' {
		zone = len(b) - 6
		if zone < 19 || (b[zone] != '+' && b[zone] != '-') || b[zone+3] != ':' {
			return 0, 0, false
		}
		zh, ok1 := digits2(b[zone+1], b[zone+2])
		zm, ok2 := digits2(b[zone+4], b[zone+5])
		if !ok1 || !ok2 || zh > 23 || zm > 59 {
			return 0, 0, false
		}
		off = int32(zh*3600 + zm*60)
		if b[zone] == '-' {
			off = -off
		}
	}
	sec, ok := clockFraction(b[11:zone])
	if !ok {
		return 0, 0, false
	}
	return midnight + sec - int64(off), off, true
}
