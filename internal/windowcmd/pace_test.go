package windowcmd

import (
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/window"
)

// clock is a wall clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var epoch = time.Unix(1_700_000_000, 0)

func TestPacerTarget(t *testing.T) {
	type step struct {
		at      time.Duration // wall time since epoch
		request int64         // second of a request, or 0 for a check
		want    int64         // target expected from a check, 0 for none
	}
	tests := []struct {
		name  string
		steps []step
	}{{
		name: "no request ever: time does not move",
		steps: []step{
			{at: 0}, {at: 10 * time.Second}, {at: time.Hour},
		},
	}, {
		name: "silence shorter than idle keeps log time",
		steps: []step{
			{at: 0, request: 500},
			{at: 100 * time.Millisecond},
			{at: 900 * time.Millisecond},
		},
	}, {
		name: "after idle, time runs from the newest second's first arrival",
		steps: []step{
			{at: 200 * time.Millisecond, request: 500},
			{at: 700 * time.Millisecond, request: 500}, // not a new second: anchor stays
			{at: 800 * time.Millisecond},               // finds new requests
			{at: 1800 * time.Millisecond, want: 501},   // silent 1s; 1.6s since 500 began
			{at: 3100 * time.Millisecond, want: 502},
			{at: 10200 * time.Millisecond, want: 510},
		},
	}, {
		name: "a new second re-anchors, an older one does not",
		steps: []step{
			{at: 0, request: 500},
			{at: 5 * time.Second, request: 499},
			{at: 5 * time.Second},
			{at: 6 * time.Second, want: 506},
			{at: 6 * time.Second, request: 503}, // log lags the estimate
			{at: 6 * time.Second},
			{at: 7 * time.Second, want: 506},
			{at: 7 * time.Second, request: 507},
			{at: 7 * time.Second},
			{at: 8500 * time.Millisecond, want: 508},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{}
			p := &pacer{idle: time.Second, now: c.now}
			for i, s := range tc.steps {
				c.t = epoch.Add(s.at)
				if s.request != 0 {
					p.request(s.request)
					continue
				}
				got, ok := p.target()
				if !ok {
					got = 0
				}
				if got != s.want {
					t.Errorf("step %d at %v: target %d, want %d", i, s.at, got, s.want)
				}
			}
		})
	}
}

// liveTicks records ticks with the wall time they came out at.
type liveTicks struct {
	c     *clock
	ticks []event.Tick
	at    []time.Time
}

func (l *liveTicks) Tick(t *event.Tick) error {
	l.ticks = append(l.ticks, *t)
	l.at = append(l.at, l.c.t)
	return nil
}

func (l *liveTicks) Summary(*event.Summary) error { return nil }

// A site gets 20 requests a second for 130 seconds, logged as they happen,
// then none at all while the input stays open. The high-traffic alert must
// fire during the traffic and resolve at the event-time second the rule
// says, emitted within a second of that second becoming final, from the
// wall clock alone.
func TestSilentSiteResolvesAlert(t *testing.T) {
	const (
		t0       = 1_700_000_000
		lateness = 5
		check    = 100 * time.Millisecond
	)
	c := &clock{t: time.Unix(t0, 0)}
	out := &liveTicks{c: c}
	agg, err := window.New(window.Config{Interval: 10, Lateness: lateness, Top: 10, MaxGap: 86400}, out)
	if err != nil {
		t.Fatal(err)
	}
	p := &pacer{idle: time.Second, now: c.now}
	idle := func() {
		if ts, ok := p.target(); ok {
			if err := agg.AdvanceTo(ts); err != nil {
				t.Fatal(err)
			}
		}
	}
	var req event.Request
	for s := int64(0); s < 130; s++ {
		for i := range 20 {
			c.t = time.Unix(t0+s, int64(i)*int64(time.Second/20))
			req = event.Request{TS: t0 + s, Status: 200, Bytes: 10, Section: []byte("/")}
			p.request(req.TS)
			if _, err := agg.Add(&req); err != nil {
				t.Fatal(err)
			}
			idle() // a live pipe drains after every line
		}
	}
	// Silence: only the periodic idle checks run, for five minutes.
	for c.t.Before(time.Unix(t0+130+300, 0)) {
		c.t = c.t.Add(check)
		idle()
	}

	eng, err := alert.NewEngine([]alert.Rule{{Name: alert.DefaultName, Window: 120, Threshold: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []event.Alert
	for i := range out.ticks {
		tk := &out.ticks[i]
		if i > 0 && tk.TS != out.ticks[i-1].TS+1 {
			t.Fatalf("ticks not contiguous: %d after %d", tk.TS, out.ticks[i-1].TS)
		}
		n := len(alerts)
		if alerts, err = eng.Tick(tk, alerts); err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts[n:] {
			// A tick can come out no sooner than lateness seconds after
			// its second ends, and the check period plus the one-second
			// anchor rounding is all the delay on top of that.
			final := time.Unix(a.TS+1+lateness, 0)
			if at := out.at[i]; at.Before(final) || at.After(final.Add(time.Second+check)) {
				t.Errorf("%s alert of second %d emitted at %v, want within a second of %v", a.State, a.TS, at, final)
			}
		}
	}
	if len(alerts) != 2 {
		t.Fatalf("want one firing and one resolved alert, got %+v", alerts)
	}
	// 20/s exceeds 10/s once the window holds more than 1200 requests: at
	// the 61st second. It falls back once 60 silent seconds have halved it.
	if a := alerts[0]; string(a.State) != event.StateFiring || a.TS != t0+60 {
		t.Errorf("fired %s at %d, want firing at %d", a.State, a.TS, t0+60)
	}
	if a := alerts[1]; string(a.State) != event.StateResolved || a.TS != t0+189 {
		t.Errorf("then %s at %d, want resolved at %d", a.State, a.TS, t0+189)
	}
	last := out.ticks[len(out.ticks)-1].TS
	if want := int64(t0 + 430 - lateness - 1); last < want-1 || last > want {
		t.Errorf("ticks reached second %d after 300 silent seconds, want about %d", last, want)
	}
}

// With no request at all there is no event time to run on from: nothing is
// emitted, however long the silence.
func TestNoTrafficEmitsNothing(t *testing.T) {
	c := &clock{t: epoch}
	out := &liveTicks{c: c}
	agg, err := window.New(window.DefaultConfig(), out)
	if err != nil {
		t.Fatal(err)
	}
	p := &pacer{idle: time.Second, now: c.now}
	for range 3600 {
		c.t = c.t.Add(time.Second)
		if ts, ok := p.target(); ok {
			if err := agg.AdvanceTo(ts); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := agg.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(out.ticks) != 0 {
		t.Fatalf("got %d ticks from no traffic", len(out.ticks))
	}
}
