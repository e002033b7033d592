package humane

import (
	"math"
	"strconv"
)

// AppendBytes appends n as a size: whole bytes below 1 KiB, otherwise KiB,
// MiB or GiB with one decimal. Binary units because that is what du -h
// and ls -h show. The unit is chosen after rounding, so that 1048575 bytes
// reads "1.0 MiB" rather than "1024.0 KiB". Negative sizes mean "unknown"
// on the wire and are shown as "-".
func AppendBytes(b []byte, n int64) []byte {
	if n < 0 {
		return append(b, '-')
	}
	if n < 1024 {
		b = strconv.AppendInt(b, n, 10)
		return append(b, " B"...)
	}
	units := [...]string{" KiB", " MiB", " GiB"}
	f := float64(n) / 1024
	u := 0
	for u < len(units)-1 && math.Round(f*10)/10 >= 1024 {
		f /= 1024
		u++
	}
	b = strconv.AppendFloat(b, f, 'f', 1, 64)
	return append(b, units[u]...)
}

// Bytes returns n as AppendBytes writes it.
func Bytes(n int64) string {
	var buf [24]byte // room for any size, so that only the string allocates
	return string(AppendBytes(buf[:0], n))
}
