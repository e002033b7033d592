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

// formatDuration writes whole seconds the short way: 45s, 2m, 1m14s, 1h2m.
// Hours leave out seconds, which no one reads at that scale.
func formatDuration(sec int64) string {
	if sec < 0 {
		return "-" + formatDuration(-sec)
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

// formatNum writes a threshold or axis value without needless decimals.
func formatNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatBytes writes a size for people, in binary units like du -h.
func formatBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n) / 1024
	for _, u := range []string{"KiB", "MiB", "GiB"} {
		if f < 1023.95 || u == "GiB" {
			return strconv.FormatFloat(f, 'f', 1, 64) + " " + u
		}
		f /= 1024
	}
	return ""
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
