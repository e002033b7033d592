package dashboard

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
)

// formatTime writes a unix time in the zone of the log, off seconds east
// of UTC.
func formatTime(ts int64, off int32, layout string) string {
	return time.Unix(ts, 0).In(time.FixedZone("", int(off))).Format(layout)
}

// formatNum writes a threshold or axis value without needless decimals.
func formatNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func padRight(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
