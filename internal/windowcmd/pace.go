package windowcmd

import "time"

// pacer moves event time on with the wall clock while input is silent, so
// that a site that stops getting requests still gets empty ticks, and an
// alert on its traffic resolves.
//
// Event time is the second of the newest request, m. While requests arrive
// it moves only with them: the log's clock, not the host's, says what time
// it is, and replays stay exact. Once no request has arrived for the idle
// period, event time runs on from m at wall-clock speed: at wall time t it
// is m + ⌊t − tₘ⌋, where tₘ is when the first request of second m arrived.
// Anchoring on arrival, not on the host's clock, keeps this right when the
// log's clock is skewed or its zone differs, and the estimate lags the log
// by however late lines reach httpmon, so it never makes a line that is on
// time late.
type pacer struct {
	idle time.Duration
	// caughtUp is how long a replay may stall before it is taken to have
	// caught up with its input, such as a follower that read a backlog
	// and waits for new lines; 0 never.
	caughtUp time.Duration
	now      func() time.Time

	started  bool
	newest   int64     // m
	newestAt time.Time // tₘ
	count    int64     // requests seen
	checked  int64     // count at the last check
	activeAt time.Time // when a check last found new requests
	reached  int64     // newest target returned
	// tempo decides whether the input is a replay, from the requests'
	// arrival and, while live, from the wall clock standing in for them.
	tempo     tempo
	replaying bool
}

// request notes a request of second ts and reports whether the input is a
// replay. The decision changes only when a request moves event time on,
// which is the only time seconds become final on a request's word.
func (p *pacer) request(ts int64) bool {
	p.count++
	if !p.started || ts > p.newest {
		p.started, p.newest, p.newestAt = true, ts, p.now()
		p.tempo.reach(ts, p.newestAt)
		p.replaying = p.tempo.replay(p.newestAt)
	}
	return p.replaying
}

// target returns the second event time has reached on the wall clock, and
// false while input has not been silent for the idle period or no request
// has been seen.
func (p *pacer) target() (int64, bool) {
	if !p.started {
		return 0, false
	}
	now := p.now()
	if p.count != p.checked {
		p.checked, p.activeAt = p.count, now
		return 0, false
	}
	if now.Sub(p.activeAt) < p.idle {
		return 0, false
	}
	// A late line of a new second re-anchors behind the time already
	// reached; time must not seem to go back.
	p.reached = max(p.reached, p.newest+int64(now.Sub(p.newestAt)/time.Second))
	switch {
	case !p.replaying:
		// Only a live stream's silence is time passing: a replay that
		// stalls must not look live when it resumes.
		p.tempo.reach(p.reached, now)
	case p.tempo.undecided():
		// A stream whose requests are all of one second, then silent, is
		// a site that got a burst and went quiet: the silence is what
		// says how fast time passes.
		p.tempo.reach(p.reached, now)
		p.replaying = p.tempo.replay(now)

	case p.caughtUp > 0 && now.Sub(p.activeAt) >= p.caughtUp:
		// A replay silent for as long as a live stream takes to make its
		// newest second final has read all there is: what comes next is
		// live, and waiting on --replay-lateness would hold the backlog's
		// last seconds back until then.
		p.replaying = false
		p.tempo.settle(p.reached, now)
	}
	return p.reached, true
}
