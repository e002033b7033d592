package parsecmd

import (
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

func TestParseBound(t *testing.T) {
	// 2026-11-30 01:30 in +0330 is still the 29th in UTC.
	now := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	const tehran = 3*3600 + 1800
	for _, tc := range []struct {
		in     string
		offset int32
		want   string // RFC 3339 in UTC, or "" for a bad value
	}{
		{"2026-11-30T14:00:00Z", tehran, "2026-11-30T14:00:00Z"},
		{"2026-11-30T14:00:00+01:00", 0, "2026-11-30T13:00:00Z"},
		{"2026-11-30T14:00:00.5Z", 0, "2026-11-30T14:00:01Z"},
		{"2026-11-30 14:00", 0, "2026-11-30T14:00:00Z"},
		{"2026-11-30 14:00", tehran, "2026-11-30T10:30:00Z"},
		{"2026-11-30 14:00:05", -3600, "2026-11-30T15:00:05Z"},
		{"2026-11-30T14:00", 3600, "2026-11-30T13:00:00Z"},
		{"2026-11-30", 3600, "2026-11-29T23:00:00Z"},
		{"-24h", tehran, "2026-11-28T22:00:00Z"},
		{"-90m", 0, "2026-11-29T20:30:00Z"},
		{"-2d", 0, "2026-11-27T22:00:00Z"},
		{"-1.5s", 0, "2026-11-29T21:59:59Z"},
		{"today", 0, "2026-11-29T00:00:00Z"},
		{"today", tehran, "2026-11-29T20:30:00Z"},
		{"yesterday", tehran, "2026-11-28T20:30:00Z"},
		{"yesterday", -5 * 3600, "2026-11-28T05:00:00Z"},
		{"", 0, ""},
		{"tomorrow", 0, ""},
		{"24h", 0, ""},
		{"--24h", 0, ""},
		{"-1.5d", 0, ""},
		{"-d", 0, ""},
		{"2026-11-31 14:00", 0, ""},
		{"2026-11-30 25:00", 0, ""},
		{"14:00", 0, ""},
		{"1700000000", 0, ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			b, err := parseBound(tc.in, now)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("parseBound(%q) = %+v, want an error", tc.in, b)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseBound(%q): %v", tc.in, err)
			}
			if got := time.Unix(b.in(tc.offset), 0).UTC().Format(time.RFC3339); got != tc.want {
				t.Errorf("parseBound(%q) in %ds = %s, want %s", tc.in, tc.offset, got, tc.want)
			}
		})
	}
}

func TestTimeRangeOutside(t *testing.T) {
	r := &timeRange{
		since: timeBound{kind: wall, unix: 1000},
		until: timeBound{kind: absolute, unix: 2000},
		slack: 300,
	}
	for _, tc := range []struct {
		ts      int64
		sorted  bool
		outside bool
		past    bool
	}{
		// The first request's zone, +100 s, fixes since at 900.
		{1500, false, false, false},
		{899, false, true, false},
		{900, false, false, false},
		{1999, false, false, false},
		{2000, false, true, false},
		{2299, true, true, false},
		{2300, true, true, true},
		{2300, false, true, false},
	} {
		r.sorted = tc.sorted
		req := event.Request{TS: tc.ts, UTCOffset: 100}
		if tc.ts != 1500 {
			req.UTCOffset = -7200 // too late to change the range
		}
		out, err := r.outside(&req)
		if out != tc.outside || (err == errPastUntil) != tc.past {
			t.Errorf("ts %d sorted %v: outside %v, %v; want %v, past %v", tc.ts, tc.sorted, out, err, tc.outside, tc.past)
		}
	}
}
