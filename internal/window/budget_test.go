package window

import (
	"fmt"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// entries counts the section entries that a's tables hold, open intervals
// and recycled ones.
func entries(a *Aggregator) int {
	n := 0
	for _, iv := range a.open {
		n += len(iv.sections.m)
	}
	for _, iv := range a.free {
		n += len(iv.sections.m)
	}
	return n
}

// TestSectionBudget checks that however many intervals a replay holds open,
// and whatever the sections, the tables together never hold more entries
// than the budget, which is what bounds the window's memory, and that a
// live stream with the default hold still counts MaxSections per interval
// exactly.
func TestSectionBudget(t *testing.T) {
	const per = 100
	for _, tc := range []struct {
		name   string
		replay bool
		rate   int // requests per second, each of a new section
	}{
		{"replay, hostile", true, 50},
		{"replay, few sections", true, 3},
		{"live, hostile", false, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Interval: 10, Lateness: 5, ReplayLateness: 300, Top: 3, MaxSections: per}
			a, err := New(c, &recorder{})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetReplay(tc.replay); err != nil {
				t.Fatal(err)
			}
			// Two intervals' worth, and one entry for each of the 32
			// intervals that 300s can hold open.
			limit := a.sections.limit
			if limit != 2*per+32 {
				t.Fatalf("budget %d, want %d", limit, 2*per+32)
			}
			peak := 0
			for i := range 2000 * tc.rate {
				name := fmt.Appendf(nil, "/s%d", i)
				r := event.Request{TS: 1000 + int64(i/tc.rate) - int64(i%7), Status: 200, Bytes: 1, Section: name, Path: name}
				if _, err := a.Add(&r); err != nil {
					t.Fatal(err)
				}
				n := entries(a)
				if n > limit || a.sections.used > limit {
					t.Fatalf("after %d requests the tables hold %d entries, over the budget of %d (used %d, floor %d, %d open, %d free)", i+1, n, limit, a.sections.used, a.sections.floor, len(a.open), len(a.free))
				}
				peak = max(peak, n)
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if tc.rate > 10 && peak < 2*per*9/10 {
				t.Errorf("peak %d entries of %d: the budget is not used", peak, limit)
			}
		})
	}
}
