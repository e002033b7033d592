package alert

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// tick is one second of the controllable clock: the test decides which
// seconds exist and how many requests each had.
type tick struct{ ts, hits int64 }

type transition struct {
	state string
	ts    int64
	hits  int64
}

// engineOf returns an Engine of the one rule.
func engineOf(t *testing.T, rule Rule) *Engine {
	t.Helper()
	e, err := NewEngine([]Rule{rule})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func run(t *testing.T, rule Rule, ticks []tick) []transition {
	t.Helper()
	e := engineOf(t, rule)
	var got []transition
	var buf []event.Alert
	var err error
	for _, tk := range ticks {
		buf, err = e.Tick(&event.Tick{TS: tk.ts, Hits: tk.hits}, buf[:0])
		if err != nil {
			t.Fatalf("tick %d: %v", tk.ts, err)
		}
		for _, a := range buf {
			got = append(got, transition{string(a.State), a.TS, a.Hits})
		}
	}
	return got
}

// seconds returns contiguous ticks from start with the given hits.
func seconds(start int64, hits ...int64) []tick {
	out := make([]tick, len(hits))
	for i, h := range hits {
		out[i] = tick{start + int64(i), h}
	}
	return out
}

func zeros(start, n int64) []tick {
	return seconds(start, make([]int64, n)...)
}

func cat(parts ...[]tick) []tick {
	var out []tick
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRule(t *testing.T) {
	w4 := Rule{Name: "r", Window: 4, Threshold: 1} // fires above 4 hits in 4 s
	tests := []struct {
		name  string
		rule  Rule
		ticks []tick
		want  []transition
	}{
		{"no traffic at all", w4, nil, nil},
		{"only empty seconds", w4, zeros(100, 1000), nil},
		{"exactly threshold times window does not fire", w4, seconds(0, 1, 1, 1, 1, 1, 1, 1, 1), nil},
		{"one over fires at that second", w4, seconds(0, 1, 1, 1, 2, 1, 1, 1, 1),
			[]transition{{"firing", 3, 5}, {"resolved", 7, 4}}},
		{"fires and resolves at exact seconds", w4, seconds(10, 2, 2, 1, 0, 0, 0),
			[]transition{{"firing", 12, 5}, {"resolved", 14, 3}}},
		{"stays firing while above", w4, seconds(0, 5, 5, 5, 5, 5, 0, 0, 0, 0),
			[]transition{{"firing", 0, 5}, {"resolved", 8, 0}}},
		{"traffic stops completely: resolved from empty ticks alone", w4,
			cat(seconds(0, 9), zeros(1, 10)),
			[]transition{{"firing", 0, 9}, {"resolved", 4, 0}}},
		{"gap longer than the window resolves inside the gap", w4,
			cat(seconds(0, 3, 3), []tick{{1000, 0}}),
			[]transition{{"firing", 1, 6}, {"resolved", 4, 3}}},
		{"gap longer than the window then a new burst", w4,
			cat(seconds(0, 9), seconds(500, 9)),
			[]transition{{"firing", 0, 9}, {"resolved", 4, 0}, {"firing", 500, 9}}},
		{"gap shorter than the window keeps old hits", w4,
			[]tick{{0, 3}, {2, 2}},
			[]transition{{"firing", 2, 5}}},
		{"fractional threshold, exactly equal does not fire", Rule{Name: "r", Window: 120, Threshold: 0.1},
			seconds(0, 12), nil},
		{"fractional threshold, one more fires", Rule{Name: "r", Window: 120, Threshold: 0.1},
			seconds(0, 13), []transition{{"firing", 0, 13}}},
		{"zero threshold fires on any request", Rule{Name: "r", Window: 2, Threshold: 0},
			seconds(0, 0, 1, 0, 0), []transition{{"firing", 1, 1}, {"resolved", 3, 0}}},
		{"default rule: 1200 in 2 minutes is not an alert", Rule{Name: DefaultName, Window: 120, Threshold: 10},
			seconds(0, 1200), nil},
		{"default rule: 1201 in 2 minutes is", Rule{Name: DefaultName, Window: 120, Threshold: 10},
			cat(seconds(0, 1201), zeros(1, 130)),
			[]transition{{"firing", 0, 1201}, {"resolved", 120, 0}}},
		{"window of one second", Rule{Name: "r", Window: 1, Threshold: 2},
			seconds(0, 3, 2, 3), []transition{{"firing", 0, 3}, {"resolved", 1, 2}, {"firing", 2, 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, tc.rule, tc.ticks)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("want %v\n got %v", tc.want, got)
			}
		})
	}
}

func TestOutOfOrderTick(t *testing.T) {
	e := engineOf(t, Rule{Name: "r", Window: 4, Threshold: 1})
	if _, err := e.Tick(&event.Tick{TS: 10, Hits: 9}, nil); err != nil {
		t.Fatal(err)
	}
	for _, ts := range []int64{10, 3} {
		_, err := e.Tick(&event.Tick{TS: ts, Hits: 100}, nil)
		var ooo *OutOfOrderError
		if !errors.As(err, &ooo) {
			t.Fatalf("tick %d: want OutOfOrderError, got %v", ts, err)
		}
	}
	// The rejected ticks changed nothing: the window still holds 9 hits.
	got, _ := e.Tick(&event.Tick{TS: 14, Hits: 0}, nil)
	if len(got) != 1 || string(got[0].State) != "resolved" || got[0].TS != 14 {
		t.Fatalf("got %+v", got)
	}
}

func TestAlertRecord(t *testing.T) {
	e := engineOf(t, Rule{Name: DefaultName, Window: 120, Threshold: 10, V1: true})
	got, _ := e.Tick(&event.Tick{TS: 1549573956, UTCOffset: 3600, Hits: 1206}, nil)
	want := event.Alert{Name: []byte(DefaultName), State: []byte(event.StateFiring), TS: 1549573956, UTCOffset: 3600,
		Hits: 1206, Threshold: 10, Window: 120, Rate: 10.05,
		Metric: []byte("hits/s"), Op: []byte(">"), Value: 10.05, Labels: []event.Label{}, StartsAt: 1549573956}
	if len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
		t.Fatalf("want %+v\n got %+v", want, got)
	}
}

func TestValidate(t *testing.T) {
	for _, r := range []Rule{
		{Name: "", Window: 1, Threshold: 1},
		{Name: "x", Window: 0, Threshold: 1},
		{Name: "x", Window: 1, Threshold: -1},
		{Name: "x", Window: 8 * 24 * 3600, Threshold: 1},
	} {
		if _, err := NewEngine([]Rule{r}); err == nil {
			t.Errorf("%+v: want an error", r)
		}
	}
}

// TestAgainstReference compares a rule's alerts with a direct reading of the
// rule on random streams with gaps, bursts and silences.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		rule := Rule{Name: "r", Window: 1 + rng.Int64N(30), Threshold: float64(rng.IntN(8)) / 2}
		var ticks []tick
		perSecond := map[int64]int64{}
		ts := rng.Int64N(1000)
		for len(ticks) < 200 {
			var h int64
			switch rng.IntN(4) {
			case 0:
				h = 0
			case 1:
				h = rng.Int64N(3)
			default:
				h = rng.Int64N(int64(rule.Threshold*2) + 3)
			}
			ticks = append(ticks, tick{ts, h})
			perSecond[ts] = h
			if rng.IntN(10) == 0 {
				ts += 1 + rng.Int64N(3*rule.Window)
			} else {
				ts++
			}
		}
		var want []transition
		firing := false
		for s := ticks[0].ts; s <= ticks[len(ticks)-1].ts; s++ {
			var hits int64
			for u := s - rule.Window + 1; u <= s; u++ {
				hits += perSecond[u]
			}
			cond := float64(hits)/float64(rule.Window) > rule.Threshold
			if cond != firing {
				firing = cond
				state := "resolved"
				if cond {
					state = "firing"
				}
				want = append(want, transition{state, s, hits})
			}
		}
		got := run(t, rule, ticks)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rule %+v ticks %v:\nwant %v\n got %v", rule, ticks, want, got)
		}
	}
}
