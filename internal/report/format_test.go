package report

import (
	"strconv"
	"testing"
)

func TestAppendBytes(t *testing.T) {
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
		{1024 * 1024, "1.0 MiB"},
		{3_456_789, "3.3 MiB"},
		{1 << 30, "1.0 GiB"},
		{5 << 40, "5120.0 GiB"}, // GiB is the largest unit
		{1<<63 - 1, "8589934592.0 GiB"},
	}
	for _, tc := range tests {
		if got := string(appendBytes(nil, tc.n)); got != tc.want {
			t.Errorf("appendBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestDigits(t *testing.T) {
	for _, n := range []int64{0, 9, 10, 99, 100, 1<<63 - 1, -1, -10, -(1<<63 - 1), -1 << 63} {
		if got, want := digits(n), len(strconv.FormatInt(n, 10)); got != want {
			t.Errorf("digits(%d) = %d, want %d", n, got, want)
		}
	}
}
