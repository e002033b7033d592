package humane

import (
	"math"
	"strconv"
)

// AppendRate appends a rate, such as requests per second, that keeps its
// significant digits: one decimal from 1 up ("120.6"), and two
// significant digits below ("0.033", "0.5"), so that a quiet log's rate
// does not read as "0.0". Zero is "0"; a rate too small for six decimals
// is "<0.000001", which is still not zero.
func AppendRate(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v) || v <= 0:
		return append(b, '0')
	case v >= 0.995:
		return strconv.AppendFloat(b, v, 'f', 1, 64)
	case v < 0.00000095:
		return append(b, "<0.000001"...)
	}
	// Two significant digits, with the zeros that end them cut.
	prec := 1 - int(math.Floor(math.Log10(v)))
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}

// Rate returns v as AppendRate writes it.
func Rate(v float64) string {
	var buf [32]byte
	return string(AppendRate(buf[:0], v))
}
