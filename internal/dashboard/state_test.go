package dashboard

import (
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

func TestStateTicks(t *testing.T) {
	s := NewState(10, 4)
	for _, tk := range []event.Tick{{TS: 100, Hits: 4}, {TS: 101, Hits: 8}, {TS: 104, Hits: 2}, {TS: 103, Hits: 1}, {TS: 104, Hits: 1}} {
		s.Apply(&Record{Tick: &tk})
	}
	cases := []struct {
		ts   int64
		hits int64
		ok   bool
	}{{99, 0, false}, {100, 4, true}, {101, 8, true}, {102, 0, true}, {103, 1, true}, {104, 3, true}, {105, 0, false}}
	for _, c := range cases {
		if h, ok := s.HitsAt(c.ts); h != c.hits || ok != c.ok {
			t.Errorf("HitsAt(%d) = %d, %v; want %d, %v", c.ts, h, ok, c.hits, c.ok)
		}
	}
	if s.total != 16 || s.lastHits != 3 {
		t.Errorf("total %d, last %d; want 16, 3", s.total, s.lastHits)
	}
	// 101..104: 8+0+1+3 over a 4 s window.
	if got := s.Average(); got != 3 {
		t.Errorf("Average() = %v, want 3", got)
	}
	// A gap longer than the history leaves no stale seconds behind.
	s.Apply(&Record{Tick: &event.Tick{TS: 104 + historySeconds + 5, Hits: 1}})
	for ts := int64(104 + 6); ts < 104+historySeconds+5; ts++ {
		if h, _ := s.HitsAt(ts); h != 0 {
			t.Fatalf("HitsAt(%d) = %d after a gap", ts, h)
		}
	}
}

func TestStateAlerts(t *testing.T) {
	s := NewState(10, 120)
	apply := func(name string, firing bool, ts int64) {
		s.Apply(&Record{Alert: &Alert{Name: name, Firing: firing, TS: ts, Hits: ts, Threshold: 5, Window: 60}})
	}
	apply("disk", false, 1) // resolved without a firing seen: input began mid-alert
	apply("high_traffic", true, 2)
	apply("errors", true, 3)
	apply("high_traffic", false, 4)
	if s.threshold != 5 || s.window != 60 {
		t.Errorf("threshold %v window %d from alert records, want 5, 60", s.threshold, s.window)
	}
	f := s.Firing()
	if len(f) != 1 || f[0].Name != "errors" {
		t.Errorf("firing %+v, want errors", f)
	}
	if len(s.history) != 3 || s.history[0].Fired || !s.history[1].Resolved || s.history[1].ResolvedTS != 4 {
		t.Errorf("history %+v", s.history)
	}
	for i := range maxAlerts + 10 {
		apply("flap", i%2 == 0, int64(10+i))
	}
	if len(s.history) > maxAlerts {
		t.Errorf("history grew to %d", len(s.history))
	}
	if len(s.Firing()) != 1 || s.Firing()[0].Name != "errors" {
		t.Errorf("the firing span was dropped from a full history")
	}
	c := s.Clone()
	apply("errors", false, 1000)
	if len(c.Firing()) != 1 || c.firing["errors"] == nil {
		t.Errorf("clone changed with the state")
	}
}
