package humane

import (
	"math"
	"strconv"
	"strings"
)

// AppendValue appends a value or threshold of an alert rule's metric in
// the metric's unit: ratios as percentages with at most two decimals,
// rates with at most two decimals, counts as they are.
func AppendValue(b []byte, metric string, v float64) []byte {
	switch {
	case strings.HasSuffix(metric, "_ratio"):
		b = strconv.AppendFloat(b, math.Round(v*1e4)/1e2, 'f', -1, 64)
		return append(b, '%')
	case strings.HasSuffix(metric, "/s"):
		return strconv.AppendFloat(b, math.Round(v*100)/100, 'f', -1, 64)
	case strings.HasPrefix(metric, "latency_"):
		return AppendSeconds(b, v)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// Value returns v as AppendValue writes it.
func Value(metric string, v float64) string {
	var buf [32]byte
	return string(AppendValue(buf[:0], metric, v))
}
