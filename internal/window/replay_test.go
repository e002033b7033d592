package window

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestReplayHold checks that a replay holds its seconds for ReplayLateness,
// so records out of order by a minute count in their own second, and that
// going live emits at once what the shorter hold makes final.
func TestReplayHold(t *testing.T) {
	c := Config{Interval: 10, Lateness: 2, ReplayLateness: 60, Top: 10}
	rec := &recorder{}
	a, err := New(c, rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetReplay(true); err != nil {
		t.Fatal(err)
	}
	add := func(ts int64) {
		t.Helper()
		r := event.Request{TS: ts, Status: 200, Bytes: 1}
		if late, err := a.Add(&r); err != nil || late {
			t.Fatalf("Add(%d) = %v, %v; want it counted in its own second", ts, late, err)
		}
	}
	// Shuffled within a minute, as a log written at the end of requests.
	for _, ts := range []int64{1030, 1001, 1059, 1000, 1045, 1002, 1060, 1000} {
		add(ts)
	}
	if len(rec.ticks) != 0 {
		t.Fatalf("a replay emitted %d ticks within its hold", len(rec.ticks))
	}
	add(1061) // 1000 is now 61 seconds behind: final
	if len(rec.ticks) != 1 || rec.ticks[0].TS != 1000 || rec.ticks[0].Hits != 2 {
		t.Fatalf("want the tick of 1000 with 2 hits, got %+v", rec.ticks)
	}
	// Live: every second more than 2 behind 1061 goes out now.
	if err := a.SetReplay(false); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.ticks); n != 1058-1000+1 || rec.ticks[n-1].TS != 1058 {
		t.Fatalf("going live emitted through %d (%d ticks), want through 1058", rec.ticks[len(rec.ticks)-1].TS, len(rec.ticks))
	}
	hits := int64(0)
	for _, tk := range rec.ticks {
		hits += tk.Hits
	}
	if hits != 6 {
		t.Fatalf("ticks through 1058 hold %d hits, want 6", hits)
	}
	r := event.Request{TS: 1045, Status: 200}
	if late, _ := a.Add(&r); !late {
		t.Fatal("a record of an emitted second is not late")
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if st := a.Stats(); st.Late != 1 || st.Requests != 10 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReplayLatenessValidate(t *testing.T) {
	for _, tc := range []struct {
		v  int64
		ok bool
	}{{0, true}, {300, true}, {3600, true}, {3601, false}, {-1, false}} {
		c := DefaultConfig()
		c.ReplayLateness = tc.v
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("ReplayLateness %d: %v", tc.v, err)
		}
	}
}

// TestPropertyReplay checks that a replay held for ReplayLateness gives the
// reference output, every request in its own second, for streams out of
// order by up to ReplayLateness, whatever Lateness is.
func TestPropertyReplay(t *testing.T) {
	for ci, c := range []Config{
		{Interval: 10, Lateness: 5, ReplayLateness: 60, Top: 3},
		{Interval: 1, Lateness: 0, ReplayLateness: 30, Top: 2},
		{Interval: 60, Lateness: 2, ReplayLateness: 300, Top: 10},
	} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("I=%d,R=%d/seed=%d", c.Interval, c.ReplayLateness, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(ci)+100, seed))
				reqs := randomStream(rng, c, 3000, c.ReplayLateness, 0)
				rec, a := feedReplay(t, c, reqs, func(int) bool { return true })
				checkInvariants(t, c, rec, int64(len(reqs)))
				if n := a.Stats().Late; n != 0 {
					t.Fatalf("%d late requests with disorder within the replay lateness", n)
				}
				wantTicks, wantSums := reference(c, reqs)
				if !reflect.DeepEqual(rec.ticks, wantTicks) || !reflect.DeepEqual(rec.sums, wantSums) {
					t.Fatalf("output differs from the reference: %d ticks and %d summaries, want %d and %d",
						len(rec.ticks), len(rec.sums), len(wantTicks), len(wantSums))
				}
			})
		}
	}
}

// TestPropertyReplayToggles switches between replay and live at random
// points of streams with late requests: the output stays contiguous, every
// request is in a tick or late, and summaries are the sums of their ticks.
func TestPropertyReplayToggles(t *testing.T) {
	c := Config{Interval: 10, Lateness: 3, ReplayLateness: 45, Top: 3}
	for seed := range uint64(5) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, seed))
			reqs := randomStream(rng, c, 4000, 30, 0.03)
			replay := true
			rec, a := feedReplay(t, c, reqs, func(int) bool {
				if rng.IntN(200) == 0 {
					replay = !replay
				}
				return replay
			})
			checkInvariants(t, c, rec, int64(len(reqs)))
			if a.Stats().Late == 0 {
				t.Error("no late requests; the test does not test them")
			}
		})
	}
}

// feedReplay is feed with SetReplay(replay(i)) before the i-th request.
func feedReplay(t *testing.T, c Config, reqs []event.Request, replay func(i int) bool) (*recorder, *Aggregator) {
	t.Helper()
	rec := &recorder{}
	a, err := New(c, rec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range reqs {
		if err := a.SetReplay(replay(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Add(&reqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	return rec, a
}
