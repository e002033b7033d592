package logfmt

import (
	"math"
	"strconv"
)

// The timestamps of JSON logs and pasted formats come as text in a few
// shapes, or as numbers whose unit only their size tells.

// epochLimits are the magnitudes at which a unix time is taken to be in
// the next smaller unit: below 1e11 it is seconds (up to the year 5138),
// below 1e14 milliseconds, below 1e17 microseconds, and nanoseconds above.
// A real log's times are decades either side of 2000, so the ranges are
// far apart in every unit.
const (
	epochSecondsBelow = 1e11
	epochMillisBelow  = 1e14
	epochMicrosBelow  = 1e17
)

// epochSeconds converts a unix time in an unknown unit to whole seconds,
// rounding toward the past.
func epochSeconds(v float64) (int64, bool) {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, false
	case a < epochSecondsBelow:
	case a < epochMillisBelow:
		v /= 1e3
	case a < epochMicrosBelow:
		v /= 1e6
	default:
		v /= 1e9
		if math.Abs(v) >= epochSecondsBelow {
			return 0, false
		}
	}
	return int64(math.Floor(v)), true
}

// parseNumber parses a JSON-style decimal number without allocating.
func parseNumber(b []byte) (float64, bool) {
	if !isJSONNumber(b) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil && !math.IsInf(v, 0)
}

// isJSONNumber reports whether b is a number in JSON's grammar.
func isJSONNumber(b []byte) bool {
	return numberEnd(b, 0) == len(b) && len(b) > 0
}

// numberEnd returns the end of the JSON number at b[i:], or i if there is
// none.
func numberEnd(b []byte, i int) int {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return start
	}
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == i+1 {
			return start
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for k < len(b) && isDigit(b[k]) {
			k++
		}
		if k == j {
			return start
		}
		i = k
	}
	return i
}

// parseTimeText decodes a timestamp written as text: RFC 3339 (with "T" or
// a space, fractions of a second, "Z" or a numeric offset with or without
// its colon, or no zone, which is UTC), the CLF form "10/Oct/2000:13:55:36
// -0700" (also with milliseconds, as HAProxy writes it, and without a zone),
// or a unix time in s, ms, µs or ns, as a number in a string.
func (p *Parser) parseTimeText(b []byte) (unix int64, off int32, ok bool) {
	if len(b) == tsLen && b[2] == '/' {
		return p.ts.timestamp(b)
	}
	if len(b) >= 10 && b[4] == '-' {
		return parseRFC3339(b)
	}
	if len(b) >= 20 && b[2] == '/' {
		return parseCLFLoose(b)
	}
	if v, ok := parseNumber(b); ok {
		s, ok := epochSeconds(v)
		return s, 0, ok
	}
	return 0, 0, false
}

// parseRFC3339 decodes "2006-01-02T15:04:05.999999999Z07:00" and its
// common relatives (see parseTimeText); a date alone is its midnight.
func parseRFC3339(b []byte) (int64, int32, bool) {
	y1, ok1 := digits2(b[0], b[1])
	y2, ok2 := digits2(b[2], b[3])
	mo, ok3 := digits2(b[5], b[6])
	d, ok4 := digits2(b[8], b[9])
	if !(ok1 && ok2 && ok3 && ok4) || b[7] != '-' || mo < 1 || mo > 12 {
		return 0, 0, false
	}
	year := y1*100 + y2
	if d < 1 || d > daysIn(mo, year) {
		return 0, 0, false
	}
	days := daysFromCivil(int64(year), int64(mo), int64(d))
	rest := b[10:]
	var sec int64
	if len(rest) > 0 {
		if len(rest) < 9 || (rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ') {
			return 0, 0, false
		}
		s, ok := decodeClock(rest[1:9])
		if !ok {
			return 0, 0, false
		}
		sec = s
		if rest, ok = skipFraction(rest[9:], true); !ok {
			return 0, 0, false
		}
	}
	off, ok := parseZone(rest)
	if !ok {
		return 0, 0, false
	}
	return days*86400 + sec - int64(off), off, true
}

// parseZone decodes "", "Z", "±hh:mm", "±hhmm" or "±hh" (with an optional
// blank before it) into seconds east of UTC.
func parseZone(b []byte) (int32, bool) {
	if len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	switch {
	case len(b) == 0:
		return 0, true
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		return 0, true
	case b[0] != '+' && b[0] != '-':
		return 0, false
	}
	sign := b[0]
	b = b[1:]
	var h, m int
	var ok bool
	switch {
	case len(b) == 2:
		h, ok = digits2(b[0], b[1])
	case len(b) == 4:
		var ok2 bool
		h, ok = digits2(b[0], b[1])
		m, ok2 = digits2(b[2], b[3])
		ok = ok && ok2
	case len(b) == 5 && b[2] == ':':
		var ok2 bool
		h, ok = digits2(b[0], b[1])
		m, ok2 = digits2(b[3], b[4])
		ok = ok && ok2
	}
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	off := int32(h*3600 + m*60)
	if sign == '-' {
		off = -off
	}
	return off, true
}

// parseCLFLoose decodes "dd/Mon/yyyy:HH:MM:SS" with optional fractions of
// a second and an optional zone, " ±hhmm"; without one it is UTC.
func parseCLFLoose(b []byte) (int64, int32, bool) {
	if b[6] != '/' || b[11] != ':' {
		return 0, 0, false
	}
	day, ok1 := digits2(b[0], b[1])
	month := monthNumber(b[3], b[4], b[5])
	y1, ok2 := digits2(b[7], b[8])
	y2, ok3 := digits2(b[9], b[10])
	if !(ok1 && ok2 && ok3) || month == 0 {
		return 0, 0, false
	}
	year := y1*100 + y2
	if day < 1 || day > daysIn(month, year) {
		return 0, 0, false
	}
	sec, ok := decodeClock(b[12:20])
	if !ok {
		return 0, 0, false
	}
	rest, ok := skipFraction(b[20:], false)
	if !ok {
		return 0, 0, false
	}
	off, ok := parseZone(rest)
	if !ok {
		return 0, 0, false
	}
	return daysFromCivil(int64(year), int64(month), int64(day))*86400 + sec - int64(off), off, true
}

// durationUnit is the unit a logged duration is in.
type durationUnit uint8

const (
	unitSeconds durationUnit = iota
	unitMillis
	unitMicros
	unitNanos
	// unitSecondsOrMillis is for the "duration" of JSON logs, which Caddy
	// writes as fractional seconds and Envoy as whole milliseconds.
	unitSecondsOrMillis
)

var unitScale = [...]float64{unitSeconds: 1, unitMillis: 1e-3, unitMicros: 1e-6, unitNanos: 1e-9}

// parseDuration parses a logged duration into seconds. A list, as nginx
// writes $upstream_response_time for a request passed to several servers
// ("0.012, 0.004 : 0.001"), is summed: it is the time spent waiting on all
// of them. A lone "-" is absent, reported as -1 with ok set.
func parseDuration(b []byte, u durationUnit) (float64, bool) {
	if len(b) == 1 && b[0] == '-' {
		return -1, true
	}
	total, n := 0.0, 0
	for i := 0; i < len(b); {
		for i < len(b) && (b[i] == ' ' || b[i] == ',' || b[i] == ':') {
			i++
		}
		if i == len(b) {
			break
		}
		j := i
		for j < len(b) && b[j] != ' ' && b[j] != ',' && b[j] != ':' {
			j++
		}
		tok := b[i:j]
		i = j
		if len(tok) == 1 && tok[0] == '-' {
			continue // a server that gave no answer
		}
		v, ok := parseNumber(tok)
		if !ok || v < 0 {
			return 0, false
		}
		unit := u
		if unit == unitSecondsOrMillis {
			unit = unitMillis
			for _, c := range tok {
				if c == '.' || c == 'e' || c == 'E' {
					unit = unitSeconds
					break
				}
			}
		}
		total += v * unitScale[unit]
		n++
	}
	if n == 0 {
		if len(b) == 0 {
			return 0, false
		}
		return -1, true
	}
	return total, true
}

// skipFraction skips the fraction of a second at the start of b, "." (or
// "," when comma is true, as ISO 8601 allows) and at least one digit, and
// returns what follows; ok is false for a separator without digits.
func skipFraction(b []byte, comma bool) (rest []byte, ok bool) {
	if len(b) == 0 || (b[0] != '.' && !(comma && b[0] == ',')) {
		return b, true
	}
	j := 1
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	return b[j:], j > 1
}
