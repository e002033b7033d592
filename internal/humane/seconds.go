package humane

import (
	"math"
	"strconv"
)

// AppendSeconds appends a request time of v seconds for people, to about
// three significant digits in the largest unit that keeps it at least 1:
// "0", "850µs", "12.5ms", "1.2s", "2m5s". The percentiles it shows are
// within 1% anyway, so more digits would only be noise.
func AppendSeconds(b []byte, v float64) []byte {
	switch {
	case !(v > 0):
		return append(b, '0')
	case v < 0.9995e-6:
		return append(b, "<1µs"...)
	case v < 0.9995e-3:
		return append(appendSig3(b, v*1e6), "µs"...)
	case v < 0.9995:
		return append(appendSig3(b, v*1e3), "ms"...)
	case v < 59.5:
		return append(appendSig3(b, v), 's')
	}
	s := int64(math.Round(v))
	if h := s / 3600; h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, 'h')
		if m := s % 3600 / 60; m > 0 {
			b = strconv.AppendInt(b, m, 10)
			b = append(b, 'm')
		}
		return b
	}
	b = strconv.AppendInt(b, s/60, 10)
	b = append(b, 'm')
	if sec := s % 60; sec > 0 {
		b = strconv.AppendInt(b, sec, 10)
		b = append(b, 's')
	}
	return b
}

// appendSig3 appends x, from 1 to below 1000, with three significant
// digits and no trailing zeros after the point.
func appendSig3(b []byte, x float64) []byte {
	prec := 0
	switch {
	case x < 9.995:
		prec = 2
	case x < 99.95:
		prec = 1
	}
	b = strconv.AppendFloat(b, x, 'f', prec, 64)
	if prec > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	return b
}
