package web

import (
	"slices"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// Time labels fall on round instants of the log's clock, at most seven,
// where the charts draw those instants.
func TestTimeTicks(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	india := time.FixedZone("", 19800)
	// 2026-11-30 08:00:00 UTC.
	const t0 = 1796025600
	for _, tc := range []struct {
		name        string
		first, step int64
		n           int
		zone        *time.Location
		want        []string
	}{
		{"four hours", t0, 30, 480, plus1, []string{"09:00", "10:00", "11:00", "12:00"}},
		{"four hours from a quarter past", t0 + 900, 30, 480, plus1, []string{"10:00", "11:00", "12:00", "13:00"}},
		{"half-hour zone", t0, 30, 480, india, []string{"14:00", "15:00", "16:00", "17:00"}},
		{"15 minutes", t0 + 2, 2, 450, plus1, []string{"09:05", "09:10", "09:15"}},
		{"a minute", t0 + 7, 1, 60, plus1, []string{"09:00:10", "09:00:20", "09:00:30", "09:00:40", "09:00:50", "09:01:00"}},
		{"two days", t0, 240, 720, plus1, []string{"Nov 30 12:00", "Dec 1 00:00", "Dec 1 12:00", "Dec 2 00:00"}},
		{"30 days, by Thursdays", t0, 3600, 720, plus1, []string{"Dec 3", "Dec 10", "Dec 17", "Dec 24"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := history.Series{Step: tc.step}
			for i := range tc.n {
				s.Points = append(s.Points, history.Point{TS: tc.first + int64(i)*tc.step})
			}
			ticks := timeTicks(&s, tc.zone)
			var got []string
			for _, tk := range ticks {
				got = append(got, tk.Label)
				if tk.Pos < plotLeft || tk.Pos > plotLeft+plotW {
					t.Errorf("%s at %.1f, outside the plot", tk.Label, tk.Pos)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("want %q, got %q", tc.want, got)
			}
			if len(ticks) > maxTimeTicks || len(ticks) < 2 {
				t.Errorf("want 2 to %d labels, got %q", maxTimeTicks, got)
			}
			// A label stands where the chart draws its instant.
			span := float64(s.Points[tc.n-1].TS - tc.first)
			for _, tk := range ticks {
				ts, err := time.ParseInLocation(map[bool]string{true: "15:04:05", false: "15:04"}[len(tk.Label) == 8], tk.Label, tc.zone)
				if err != nil || len(tk.Label) > 8 {
					continue
				}
				day := time.Unix(tc.first, 0).In(tc.zone)
				at := time.Date(day.Year(), day.Month(), day.Day(), ts.Hour(), ts.Minute(), ts.Second(), 0, tc.zone).Unix()
				if want := plotLeft + plotW*float64(at-tc.first)/span; tk.Pos-want > 0.01 || want-tk.Pos > 0.01 {
					t.Errorf("%s at %.2f, want %.2f", tk.Label, tk.Pos, want)
				}
			}
		})
	}
}
