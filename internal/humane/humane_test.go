package humane

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBytes holds the cases that report's TestAppendBytes had.
func TestBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{-1, "-"},
		{0, "0 B"},
		{1, "1 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{10*1024 - 52, "9.9 KiB"},
		{10*1024 - 51, "10.0 KiB"},
		{1024*1024 - 52, "1023.9 KiB"},
		{1024*1024 - 51, "1.0 MiB"}, // rounds to 1024.0 KiB, so the next unit
		{1024*1024 - 1, "1.0 MiB"},
		{1024 * 1024, "1.0 MiB"},
		{3_456_789, "3.3 MiB"},
		{1 << 30, "1.0 GiB"},
		{5 << 40, "5120.0 GiB"}, // GiB is the largest unit
		{1<<63 - 1, "8589934592.0 GiB"},
	}
	for _, tc := range tests {
		if got := string(AppendBytes(nil, tc.n)); got != tc.want {
			t.Errorf("AppendBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if got := Bytes(tc.n); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// formatBytes is the dashboard's own size format that AppendBytes
// replaced; they must agree.
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

func TestBytesAsDashboardWrote(t *testing.T) {
	var ns []int64
	for _, unit := range []int64{1, 1 << 10, 1 << 20, 1 << 30} {
		for _, base := range []int64{1, 1023, 1024, 1048524, 1048525, 1048575} {
			for d := int64(-2); d <= 2; d++ {
				ns = append(ns, base*unit+d)
			}
		}
	}
	for _, n := range ns {
		if got, want := Bytes(n), formatBytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, the dashboard wrote %q", n, got, want)
		}
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		metric string
		v      float64
		want   string
	}{
		{"5xx_ratio", 0.075, "7.5%"},
		{"5xx_ratio", 0.0125, "1.25%"},
		{"5xx_ratio", 1.0 / 3, "33.33%"},
		{"hits/s", 10.0555, "10.06"},
		{"hits/s", 10, "10"},
		{"/s", 0.004, "0"},
		{"hits", 1206, "1206"},
		{"bytes", 1.5, "1.5"},
	}
	for _, tc := range tests {
		if got := Value(tc.metric, tc.v); got != tc.want {
			t.Errorf("Value(%q, %v) = %q, want %q", tc.metric, tc.v, got, tc.want)
		}
	}
}

// goDuration is how alert rules wrote durations before Duration:
// time.Duration's form with its trailing zero units cut.
func goDuration(n int64) string {
	s := (time.Duration(n) * time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func TestDuration(t *testing.T) {
	tests := []struct {
		sec  int64
		want string
	}{
		{0, "0s"}, {45, "45s"}, {60, "1m"}, {74, "1m14s"}, {120, "2m"},
		{3600, "1h"}, {3601, "1h0m1s"}, {3660, "1h1m"}, {3661, "1h1m1s"},
		{7 * 24 * 3600, "168h"}, {-120, "-2m"},
	}
	for _, tc := range tests {
		if got := Duration(tc.sec); got != tc.want {
			t.Errorf("Duration(%d) = %q, want %q", tc.sec, got, tc.want)
		}
	}
	for sec := int64(-4000); sec <= 4*3600; sec++ {
		if got, want := Duration(sec), goDuration(sec); got != want {
			t.Fatalf("Duration(%d) = %q, rules wrote %q", sec, got, want)
		}
	}
}

func TestShortDuration(t *testing.T) {
	tests := []struct {
		sec  int64
		want string
	}{
		{0, "0s"}, {45, "45s"}, {120, "2m"}, {74, "1m14s"},
		{3600, "1h"}, {3601, "1h"}, {3720, "1h2m"}, {-30, "-30s"},
	}
	for _, tc := range tests {
		if got := ShortDuration(tc.sec); got != tc.want {
			t.Errorf("ShortDuration(%d) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}

func TestRuleName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"high_traffic", "High traffic"},
		{"", "(unnamed)"},
		{"api_errors", "api_errors"},
	}
	for _, tc := range tests {
		if got := RuleName(tc.name); got != tc.want {
			t.Errorf("RuleName(%q) = %q, want %q", tc.name, got, tc.want)
		}
		if got := string(AppendRuleName(nil, []byte(tc.name))); got != tc.want {
			t.Errorf("AppendRuleName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got, want := string(AppendRuleName(nil, []byte("a\x1b[2Jb"))), `a\x1b[2Jb`; got != want {
		t.Errorf("AppendRuleName of an escape = %q, want %q", got, want)
	}
}
