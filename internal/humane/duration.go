package humane

import (
	"strconv"
	"time"
)

// AppendDuration appends sec seconds the way alert rules write them:
// "45s", "2m", "1m14s", "1h", "1h0m1s". It is time.Duration's form
// without the zero units it ends with ("2m", not "2m0s"), so the text
// reads back as the same duration in a rule and in Go.
func AppendDuration(b []byte, sec int64) []byte {
	u := uint64(sec)
	if sec < 0 {
		b = append(b, '-')
		u = -u // in uint64 so that the most negative int64 negates
	}
	h, m, s := u/3600, u/60%60, u%60
	if h > 0 {
		b = strconv.AppendUint(b, h, 10)
		b = append(b, 'h')
	}
	switch {
	case s > 0:
		// Go writes the minutes between hours and seconds, zero or not.
		if h > 0 || m > 0 {
			b = strconv.AppendUint(b, m, 10)
			b = append(b, 'm')
		}
		b = strconv.AppendUint(b, s, 10)
		b = append(b, 's')
	case m > 0:
		b = strconv.AppendUint(b, m, 10)
		b = append(b, 'm')
	case h == 0:
		b = append(b, "0s"...)
	}
	return b
}

// AppendDurationOf appends d the way alert rules write durations: whole
// seconds as AppendDuration writes them, anything finer as time.Duration
// does ("500ms", "1.5s"), which a rule reads back as the same duration.
func AppendDurationOf(b []byte, d time.Duration) []byte {
	if d%time.Second == 0 {
		return AppendDuration(b, int64(d/time.Second))
	}
	return append(b, d.String()...)
}

// Duration returns sec seconds as AppendDuration writes them.
func Duration(sec int64) string {
	var buf [24]byte
	return string(AppendDuration(buf[:0], sec))
}

// ShortDuration writes sec seconds to be read at a glance, as a clock or
// an axis is: "45s", "2m", "1m14s", "1h2m". Hours leave out seconds,
// which no one reads at that scale; that makes it inexact, so rules and
// records are written with Duration.
func ShortDuration(sec int64) string {
	if sec < 0 {
		return "-" + ShortDuration(-sec)
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	var b []byte
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, 'h')
		if m > 0 {
			b = strconv.AppendInt(b, m, 10)
			b = append(b, 'm')
		}
		return string(b)
	}
	if m > 0 {
		b = strconv.AppendInt(b, m, 10)
		b = append(b, 'm')
	}
	if s > 0 || m == 0 {
		b = strconv.AppendInt(b, s, 10)
		b = append(b, 's')
	}
	return string(b)
}
