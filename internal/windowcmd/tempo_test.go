package windowcmd

import (
	"testing"
	"time"
)

// TestTempo drives the live or replay decision with a controllable clock:
// arrivals are (second, wall offset) pairs, and the decision after each is
// what the table says.
func TestTempo(t *testing.T) {
	// live returns n seconds of a live log from second 1000 on, a line a
	// second arriving d after its second starts.
	live := func(from, n int64, start, d time.Duration) []arrival {
		var a []arrival
		for i := range n {
			a = append(a, arrival{from + i, start + time.Duration(i)*time.Second + d})
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		arrivals []arrival
		replay   bool // after the last arrival
	}{
		{"first request", []arrival{{1000, 0}}, true},
		{"first second only, a second later", []arrival{{1000, 0}, {1000, time.Second}}, true},
		{"replay, a microsecond a second", func() []arrival {
			var a []arrival
			for i := range int64(6) {
				a = append(a, arrival{1000 + i, time.Duration(i) * time.Microsecond})
			}
			return a
		}(), true},
		// The earliest a second can be final with --lateness 0 is at the
		// next second: a replay is told by then.
		{"replay, second second", []arrival{{1000, 0}, {1001, time.Millisecond}}, true},
		{"replay of a sparse log", []arrival{{1000, 0}, {1030, time.Millisecond}, {1100, 2 * time.Millisecond}}, true},
		{"replay at just over twice real time", faster(2.1), true},
		{"live log read at twice real time", faster(1.9), false},
		{"live, lines at the start of their second", live(1000, 30, 0, 0), false},
		{"live, lines late in their second", live(1000, 30, 0, 900*time.Millisecond), false},
		{"live, the first line at the end of its second", append([]arrival{{999, 0}}, live(1000, 6, 10*time.Millisecond, 0)...), false},
		{"live, a writer that flushes every 5s", func() []arrival {
			var a []arrival
			for i := range int64(60) {
				a = append(a, arrival{1000 + i, time.Duration(i/5*5+5) * time.Second})
			}
			return a
		}(), false},
		// A follower reads a day of backlog in a second, then live lines.
		{"backlog", append(backlog(), live(86400, 5, time.Second, 0)...), true},
		{"backlog, then live for tempoSpan/2", append(backlog(), live(86400, tempoSpan/2+1, time.Second, 0)...), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := time.Unix(1e9, 0)
			var tp tempo
			for _, a := range tc.arrivals {
				tp.reach(a.ts, base.Add(a.wall))
			}
			last := tc.arrivals[len(tc.arrivals)-1]
			if got := tp.replay(base.Add(last.wall)); got != tc.replay {
				t.Errorf("replay = %v, want %v", got, tc.replay)
			}
		})
	}
}

// backlog is a day of log, a line every 10 s, read in a second.
func backlog() []arrival {
	var a []arrival
	for s := int64(0); s < 86400; s += 10 {
		a = append(a, arrival{s, time.Duration(s) * time.Second / 86400})
	}
	return a
}

// arrival is a request of second ts arriving wall after the first one.
type arrival struct {
	ts   int64
	wall time.Duration
}

// faster is 40 seconds of event time passing f times as fast as the wall
// clock.
func faster(f float64) []arrival {
	var a []arrival
	for i := range int64(40) {
		a = append(a, arrival{1000 + i, time.Duration(float64(i) / f * float64(time.Second))})
	}
	return a
}

// TestPacerReplayAcrossSilence checks how silence counts for the decision:
// a live stream's silence is time passing, so a request after it is still
// live; a replay's stall is not, so a replay that resumes is still a
// replay, whatever the wall clock did meanwhile.
func TestPacerReplayAcrossSilence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		live     bool          // the stream before the silence
		seconds  int64         // of event time before the silence
		silence  time.Duration // how long the input is silent
		caughtUp time.Duration // the pacer's caughtUp
		replay   bool          // the decision on the first request after it
	}{
		{"live, then quiet for a minute", true, 30, time.Minute, 0, false},
		{"replay, then stalled for a minute", false, 30, time.Minute, 0, true},
		// A burst in one second, then nothing: the silence decides.
		{"one second, then quiet for a minute", false, 1, time.Minute, 0, false},
		// A replay silent for longer than a live stream needs to make its
		// newest second final has caught up: a follower that read its
		// backlog and waits for new lines.
		{"replay, then caught up", false, 30, time.Minute, 6 * time.Second, false},
		{"replay, then stalled for less than caughtUp", false, 30, 3 * time.Second, 6 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: epoch}
			p := &pacer{idle: 500 * time.Millisecond, caughtUp: tc.caughtUp, now: c.now}
			step := time.Millisecond
			if tc.live {
				step = time.Second
			}
			ts := int64(1000)
			for ; ts < 1000+tc.seconds; ts++ {
				p.request(ts)
				c.t = c.t.Add(step)
			}
			if got := p.replaying; got == tc.live {
				t.Fatalf("before the silence: replay = %v", got)
			}
			// The silence, checked every 100 ms as the stage does.
			for range tc.silence / (100 * time.Millisecond) {
				c.t = c.t.Add(100 * time.Millisecond)
				p.target()
			}
			if got := p.request(ts + int64(tc.silence/time.Second)); got != tc.replay {
				t.Errorf("after the silence: replay = %v, want %v", got, tc.replay)
			}
		})
	}
}

// TestPacerCaughtUpThenResumes: a replay taken to have caught up after a
// stall is told to be a replay again once it resumes at full speed, within
// tempoSpan seconds of event time.
func TestPacerCaughtUpThenResumes(t *testing.T) {
	c := &clock{t: epoch}
	p := &pacer{idle: 500 * time.Millisecond, caughtUp: 6 * time.Second, now: c.now}
	ts := int64(1000)
	for ; ts < 1030; ts++ {
		p.request(ts)
		c.t = c.t.Add(time.Millisecond)
	}
	for range 70 {
		c.t = c.t.Add(100 * time.Millisecond)
		p.target()
	}
	if p.replaying {
		t.Fatal("still a replay after a 7 s stall")
	}
	ts += 7
	for end := ts + tempoSpan + 1; ts < end; ts++ {
		p.request(ts)
		c.t = c.t.Add(time.Millisecond)
	}
	if !p.replaying {
		t.Errorf("a replay resumed at full speed for %d s of event time is still taken as live", tempoSpan+1)
	}
}
