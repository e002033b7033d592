package windowcmd

import "time"

// tempoSpan is how much event time, back from the newest second, the live
// or replay decision looks at. Long enough that a writer flushing its log
// every few seconds still reads as live, short enough that a follower that
// catches up with a backlog is live again within tempoSpan/2 seconds.
const tempoSpan = 20

// tempo tells a replay from a live stream by comparing how fast event time
// passes with how fast the wall clock does. It keeps, for each of the last
// tempoSpan seconds of event time, the wall time at which event time first
// reached it. The stream is a replay while event time has run more than
// twice as fast as the wall clock over that span:
//
//	now − reached(x) < (m − x) / 2, x = max(m − tempoSpan, first second)
//
// where m is the newest second. A live log passes one second of event time
// per second; any replay faster than twice real time, over every span of
// tempoSpan seconds, is a replay from the first second that could be
// emitted, so its output does not depend on the machine's speed.
type tempo struct {
	started bool
	first   int64 // the stream's first second
	newest  int64 // m
	reached [32]time.Time
}

// reach notes that event time reached second ts at wall time now, by a
// request or on the wall clock's word. A ts that is not newer than the
// newest changes nothing.
func (t *tempo) reach(ts int64, now time.Time) {
	if !t.started {
		t.started, t.first, t.newest = true, ts, ts
		t.reached[ts&31] = now
		return
	}
	if ts <= t.newest {
		return
	}
	for s := max(t.newest+1, ts-31); s <= ts; s++ {
		t.reached[s&31] = now
	}
	t.newest = ts
}

// undecided reports whether event time has not moved since the first
// request: nothing says yet how fast it moves.
func (t *tempo) undecided() bool { return t.started && t.newest == t.first }

// replay reports whether event time ran faster than twice the wall clock,
// at wall time now, over the last tempoSpan seconds.
func (t *tempo) replay(now time.Time) bool {
	// Until event time has moved, nothing says how fast it moves; holding
	// costs nothing yet, and a request older than the first by more than
	// --lateness still counts in its own second.
	if !t.started || t.undecided() {
		return true
	}
	x := max(t.newest-tempoSpan, t.first)
	return 2*now.Sub(t.reached[x&31]) < time.Duration(t.newest-x)*time.Second
}

// settle rewrites the history as if event time had passed at wall-clock
// speed, reaching second ts at wall time now: a replay that has caught up
// with its input is live from here on, and one that resumes is told apart
// again by how fast it runs from now on.
func (t *tempo) settle(ts int64, now time.Time) {
	if !t.started {
		t.started, t.first = true, ts
	}
	t.newest = max(t.newest, ts)
	t.first = min(t.first, t.newest-tempoSpan)
	for s := t.newest - 31; s <= t.newest; s++ {
		t.reached[s&31] = now.Add(-time.Duration(t.newest-s) * time.Second)
	}
}
