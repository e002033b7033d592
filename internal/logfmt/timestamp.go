package logfmt

// tsLen is the length of a CLF timestamp, "10/Oct/2000:13:55:36 -0700".
const tsLen = 26

// tsCache remembers the last timestamp decoded. Logs are written in time
// order, many lines a second, so most lines repeat the previous line's
// timestamp text and a 26-byte compare replaces the decode; most of the rest
// are from the same day, and only their clock needs decoding.
type tsCache struct {
	text     [tsLen]byte
	ok       bool // text holds a valid timestamp
	unix     int64
	off      int32
	midnight int64 // unix time of 00:00:00 on text's date, in its zone
}

// timestamp decodes b, which is tsLen bytes long.
func (c *tsCache) timestamp(b []byte) (unix int64, off int32, ok bool) {
	if c.ok && string(b) == string(c.text[:]) {
		return c.unix, c.off, true
	}
	if len(b) != tsLen {
		return 0, 0, false
	}
	if c.ok && string(b[:12]) == string(c.text[:12]) && string(b[20:]) == string(c.text[20:]) {
		sec, ok := decodeClock(b[12:20])
		if !ok {
			return 0, 0, false
		}
		copy(c.text[12:20], b[12:20])
		c.unix = c.midnight + sec
		return c.unix, c.off, true
	}
	midnight, sec, off, ok := decodeFull(b)
	if !ok {
		return 0, 0, false
	}
	copy(c.text[:], b)
	c.unix, c.off, c.midnight, c.ok = midnight+sec, off, midnight, true
	return c.unix, c.off, true
}

// decodeTimestamp decodes "dd/Mon/yyyy:HH:MM:SS ±hhmm" by hand because
// time.Parse costs several hundred nanoseconds, more than the rest of a line.
// It returns unix seconds and the offset in seconds east of UTC.
//
// It is as strict as time.Parse with the layout "02/Jan/2006:15:04:05
// -0700": fixed-width digits, a real day of the month, hour < 24, minute
// and second < 60. A leap second (:60) is rejected like time.Parse does:
// Linux never reports one to programs (it repeats :59), so a log that has one
// was not written by a clock we understand. Month names are matched without
// regard to case, as time.Parse does. The zone offset must be below 24 hours
// and its minutes below 60.
func decodeTimestamp(b []byte) (unix int64, off int32, ok bool) {
	if len(b) != tsLen {
		return 0, 0, false
	}
	midnight, sec, off, ok := decodeFull(b)
	return midnight + sec, off, ok
}

// decodeFull decodes a whole timestamp into the unix time of its date's
// midnight, the seconds since then and the zone offset; the cache keeps the
// midnight to decode only the clock of later lines of the same day.
func decodeFull(b []byte) (midnight, sec int64, off int32, ok bool) {
	midnight, off, ok = decodeDate(b)
	if !ok {
		return 0, 0, 0, false
	}
	sec, ok = decodeClock(b[12:20])
	if !ok {
		return 0, 0, 0, false
	}
	return midnight, sec, off, true
}

// decodeDate decodes the date and zone of a timestamp, "dd/Mon/yyyy:"
// and " ±hhmm", into the unix time of its midnight.
func decodeDate(b []byte) (midnight int64, off int32, ok bool) {
	if b[2] != '/' || b[6] != '/' || b[11] != ':' || b[20] != ' ' {
		return 0, 0, false
	}
	day, ok1 := digits2(b[0], b[1])
	month := monthNumber(b[3], b[4], b[5])
	y1, ok2 := digits2(b[7], b[8])
	y2, ok3 := digits2(b[9], b[10])
	zh, ok4 := digits2(b[22], b[23])
	zm, ok5 := digits2(b[24], b[25])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || month == 0 {
		return 0, 0, false
	}
	year := y1*100 + y2
	if day < 1 || day > daysIn(month, year) || zh > 23 || zm > 59 {
		return 0, 0, false
	}
	zone := zh*3600 + zm*60
	switch b[21] {
	case '+':
	case '-':
		zone = -zone
	default:
		return 0, 0, false
	}
	midnight = daysFromCivil(int64(year), int64(month), int64(day))*86400 - int64(zone)
	return midnight, int32(zone), true
}

// decodeClock decodes "HH:MM:SS" into seconds since midnight.
func decodeClock(b []byte) (int64, bool) {
	hour, ok1 := digits2(b[0], b[1])
	min, ok2 := digits2(b[3], b[4])
	sec, ok3 := digits2(b[6], b[7])
	if !(ok1 && ok2 && ok3) || b[2] != ':' || b[5] != ':' || hour > 23 || min > 59 || sec > 59 {
		return 0, false
	}
	return int64(hour*3600 + min*60 + sec), true
}

func digits2(a, b byte) (int, bool) {
	a -= '0'
	b -= '0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// monthNumber returns 1 to 12 for an English month abbreviation in any
// case, or 0.
func monthNumber(a, b, c byte) int {
	// Or-ing 0x20 lower-cases letters and maps no non-letter onto a letter.
	switch uint32(a|0x20)<<16 | uint32(b|0x20)<<8 | uint32(c|0x20) {
	case 'j'<<16 | 'a'<<8 | 'n':
		return 1
	case 'f'<<16 | 'e'<<8 | 'b':
		return 2
	case 'm'<<16 | 'a'<<8 | 'r':
		return 3
	case 'a'<<16 | 'p'<<8 | 'r':
		return 4
	case 'm'<<16 | 'a'<<8 | 'y':
		return 5
	case 'j'<<16 | 'u'<<8 | 'n':
		return 6
	case 'j'<<16 | 'u'<<8 | 'l':
		return 7
	case 'a'<<16 | 'u'<<8 | 'g':
		return 8
	case 's'<<16 | 'e'<<8 | 'p':
		return 9
	case 'o'<<16 | 'c'<<8 | 't':
		return 10
	case 'n'<<16 | 'o'<<8 | 'v':
		return 11
	case 'd'<<16 | 'e'<<8 | 'c':
		return 12
	}
	return 0
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// date of the proleptic Gregorian calendar, using Howard Hinnant's
// days_from_civil: years are shifted to start in March so that the leap day
// is the last day of the year and month lengths follow a linear formula.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400 // [0, 399]
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468
}
