package window

import (
	"testing"
	"time"
)

// TestIntervalsAlignToLogZone checks that intervals of an hour or more
// start at the log's own midnight and full hours, and shorter ones at
// multiples of the interval since the epoch, whatever the zone.
func TestIntervalsAlignToLogZone(t *testing.T) {
	const tehran = 12600 // +0330
	day := time.Date(2019, 2, 7, 0, 0, 0, 0, time.FixedZone("", tehran)).Unix()
	for _, tc := range []struct {
		name     string
		interval int64
		offset   int32
		ts       []int64
		want     [][2]int64 // start, end of each summary
	}{
		{"day at +0330", 86400, tehran, []int64{day + 23*3600 + 1800, day + 86400 + 1800},
			[][2]int64{{day, day + 86400}, {day + 86400, day + 2*86400}}},
		{"hour at +0330", 3600, tehran, []int64{day + 100, day + 3700},
			[][2]int64{{day, day + 3600}, {day + 3600, day + 7200}}},
		{"day at -0500", 86400, -18000, []int64{1549515600 + 10},
			[][2]int64{{1549515600, 1549515600 + 86400}}}, // 2019-02-07 00:00 -0500
		{"week at +0330 starts on the log's Thursday", 7 * 86400, tehran, []int64{day + 3600},
			[][2]int64{{day, day + 7*86400}}},
		{"10s stays on the epoch", 10, tehran, []int64{day + 3},
			[][2]int64{{day, day + 10}}}, // day+3 is 20:30:03 UTC
		{"30m stays on the epoch", 1800, 19800, []int64{day + 60}, // +0530: local :00 is UTC :30
			[][2]int64{{day, day + 1800}}},
		{"hour at +0530", 3600, 19800, []int64{1549477800 + 10}, // 2019-02-07 00:00 +0530
			[][2]int64{{1549477800, 1549477800 + 3600}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ops []op
			for _, ts := range tc.ts {
				ops = append(ops, off(tc.offset, hit(ts)))
			}
			c := cfg(tc.interval, 0)
			c.MaxGap = 0
			_, rec, _ := run(t, c, ops, false)
			if len(rec.sums) != len(tc.want) {
				t.Fatalf("%d summaries, want %d", len(rec.sums), len(tc.want))
			}
			var hits int64
			for i, s := range rec.sums {
				if s.Start != tc.want[i][0] || s.End != tc.want[i][1] {
					t.Errorf("summary %d [%d, %d), want [%d, %d)", i, s.Start, s.End, tc.want[i][0], tc.want[i][1])
				}
				hits += s.Hits
			}
			if hits != int64(len(tc.ts)) {
				t.Errorf("summaries count %d hits, want %d", hits, len(tc.ts))
			}
			// Every second of a summary is in it, contiguously.
			for i := 1; i < len(rec.ticks); i++ {
				if rec.ticks[i].TS != rec.ticks[i-1].TS+1 {
					t.Fatalf("ticks not contiguous at %d", i)
				}
			}
		})
	}
}
