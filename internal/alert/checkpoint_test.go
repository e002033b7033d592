package alert

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// transitions runs ticks through e and writes the transitions as
// "name:state@ts starts_at".
func transitions(t *testing.T, e *Engine, ticks []event.Tick) []string {
	t.Helper()
	var got []string
	var buf []event.Alert
	var err error
	for i := range ticks {
		if buf, err = e.Tick(&ticks[i], buf[:0]); err != nil {
			t.Fatal(err)
		}
		for _, a := range buf {
			got = append(got, fmt.Sprintf("%s:%s@%d/%d value %.4g hits %d", a.Name, a.State, a.TS, a.StartsAt, a.Value, a.Hits))
		}
	}
	return got
}

// throughRecord sends states through a checkpoint record and back, as the
// pipeline does.
func throughRecord(t *testing.T, states []event.RuleState) []event.RuleState {
	t.Helper()
	line, err := event.NewEncoder().Checkpoint(&event.Checkpoint{Files: []event.CheckpointFile{}, Rules: states})
	if err != nil {
		t.Fatal(err)
	}
	var c event.Checkpoint
	if err := event.NewDecoder().Checkpoint(append([]byte(nil), line...), &c); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return c.Rules
}

// TestRestoreContinuesExactly stops an engine after every tick, restores
// a new one from its states through a checkpoint record, and checks that
// the new one gives exactly the transitions that the uninterrupted engine
// gave after that tick: no second firing, no lost or early resolution.
func TestRestoreContinuesExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ticks []event.Tick
	for s := int64(1000); s < 1120; s++ {
		if rng.IntN(10) == 0 {
			continue // a second without a tick
		}
		tk := event.Tick{TS: s}
		burst := (s/20)%2 == 0
		tk.Hits = int64(rng.IntN(4))
		if burst {
			tk.Hits += 6
		}
		tk.Status[event.Class5xx] = int64(rng.IntN(int(tk.Hits) + 1))
		tk.Status[event.Class2xx] = tk.Hits - tk.Status[event.Class5xx]
		var sk latency.Sketch
		for range tk.Hits {
			v := 0.01 + rng.Float64()*0.1
			if burst {
				v *= 10
			}
			sk.Add(v)
		}
		sk.Sketch(&tk.Latency)
		ticks = append(ticks, tk)
	}
	tests := []struct {
		name  string
		rules []string
	}{
		{"rate", []string{"h: hits/s > 4 over 10s"}},
		{"for and keep_firing_for", []string{"h: hits > 40 over 10s for 5s keep_firing_for 7s"}},
		{"ratio", []string{"r: 5xx_ratio > 40% over 8s min_requests 5"}},
		{"less than", []string{"quiet: hits < 30 over 15s for 2s"}},
		{"latency", []string{"slow: latency_p90 > 300ms over 6s for 3s"}},
		{"several", []string{"h: hits/s > 4 over 10s", "slow: latency_max > 500ms over 4s keep_firing_for 3s", "e: 5xx > 10 over 5s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rules []Rule
			for _, s := range tc.rules {
				rules = append(rules, mustRule(t, s))
			}
			whole, err := NewEngine(rules)
			if err != nil {
				t.Fatal(err)
			}
			var want [][]string // transitions after each tick
			for i := range ticks {
				want = append(want, transitions(t, whole, ticks[i:i+1]))
			}
			fired := 0
			for _, w := range want {
				for _, s := range w {
					if strings.Contains(s, ":firing@") {
						fired++
					}
				}
			}
			if fired == 0 {
				t.Fatal("the rules never fire: the test checks nothing")
			}
			for k := 1; k < len(ticks); k++ {
				before, _ := NewEngine(rules)
				transitions(t, before, ticks[:k])
				states := throughRecord(t, before.States(nil))
				after, _ := NewEngine(rules)
				names, err := after.Restore(states)
				if err != nil {
					t.Fatalf("after tick %d: %v", k, err)
				}
				if len(names) != len(rules) {
					t.Fatalf("after tick %d: restored %v, want every rule", k, names)
				}
				var wantRest []string
				for _, w := range want[k:] {
					wantRest = append(wantRest, w...)
				}
				got := transitions(t, after, ticks[k:])
				if strings.Join(got, "\n") != strings.Join(wantRest, "\n") {
					t.Fatalf("restored after tick %d (second %d):\nwant %q\n got %q", k, ticks[k-1].TS, wantRest, got)
				}
			}
		})
	}
}

func TestRestoreRefuses(t *testing.T) {
	rule := mustRule(t, "h: hits > 1 over 3s")
	good := event.RuleState{Name: []byte("h"), Expr: []byte(rule.Expr()), State: []byte(event.RuleFiring),
		ActiveAt: 8, FiredAt: 8, From: 5, Last: 10, Base: []int64{1, 1, 1}, Hits: []int64{1, 1, 1}}
	tests := []struct {
		name     string
		state    func(event.RuleState) event.RuleState
		restored int
		err      string
	}{
		{"same rule", func(s event.RuleState) event.RuleState { return s }, 1, ""},
		{"changed expression", func(s event.RuleState) event.RuleState { s.Expr = []byte("hits > 2 over 3s"); return s }, 0, ""},
		{"other name", func(s event.RuleState) event.RuleState { s.Name = []byte("x"); return s }, 0, ""},
		{"more seconds than the window", func(s event.RuleState) event.RuleState {
			s.Base, s.Hits = []int64{1, 1, 1, 1}, []int64{1, 1, 1, 1}
			return s
		}, 0, "more than its window"},
		{"latency for a count rule", func(s event.RuleState) event.RuleState {
			s.Latency = make([]event.Latency, 3)
			return s
		}, 0, "request times"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := NewEngine([]Rule{rule})
			names, err := e.Restore([]event.RuleState{tc.state(good)})
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
			if len(names) != tc.restored {
				t.Errorf("restored %v, want %d", names, tc.restored)
			}
			// A restored firing alert goes on firing: no new announcement,
			// and it resolves once its window empties.
			got := transitions(t, e, []event.Tick{{TS: 11, Hits: 2}, {TS: 14}})
			want, n := "h:firing@11/11", 2 // and its resolution at 14
			if tc.restored == 1 {
				want, n = "h:resolved@14/8", 1
			}
			if len(got) != n || !strings.HasPrefix(got[0], want) {
				t.Errorf("got %q, want %s", got, want)
			}
		})
	}
	e, _ := NewEngine([]Rule{rule})
	transitions(t, e, []event.Tick{{TS: 1}})
	if _, err := e.Restore([]event.RuleState{good}); err == nil {
		t.Error("restored after a tick")
	}
}
