package windowcmd

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/window"
)

// maxHeld bounds the checkpoints held back. They wait for at most the
// intervals open at once, and a later one with the same second replaces
// an earlier one, so this is never reached by httpmon-parse's records.
const maxHeld = 64

// checkpoints holds back each checkpoint record until every second that a
// line before it can be in is out, with the summary of its interval, and
// then passes it on with Through set: a store that commits the records
// before a checkpoint with its position then holds everything the lines
// before the position gave, and nothing of the lines after it but what is
// in those seconds, which a restart from the position takes as counted.
//
// A checkpoint with Resume set starts a pipeline again from a position a
// store committed: the requests of its seconds up to Through were counted
// by the run before, and are skipped.
type checkpoints struct {
	st  *stage.Stage
	agg *window.Aggregator
	dec *event.Decoder
	enc *event.Encoder
	rec event.Checkpoint

	held    []heldCheckpoint
	resumed bool  // a resume checkpoint came before any request
	through int64 // its Through
	skipped int64 // requests of seconds the resume checkpoint covers
	counted bool  // a request was counted
	newest  int64 // the newest second of a request counted
	// hold returns how long the aggregator holds seconds open now.
	hold func() int64
	// releaseAt is the newest second of a request past which the oldest
	// held checkpoint may be final, with the hold of when it was set: a
	// request checks this alone, and release checks again after each
	// summary, when a shorter hold may have made it final sooner.
	releaseAt int64
}

type heldCheckpoint struct {
	through int64
	line    []byte
}

// checkpoint handles one checkpoint record.
func (c *checkpoints) checkpoint(raw []byte) error {
	if err := c.dec.Checkpoint(raw, &c.rec); err != nil {
		return stage.Bad(err)
	}
	if c.rec.Resume {
		if !c.counted && c.rec.HasThrough {
			c.resumed, c.through = true, c.rec.Through
		}
		return c.st.Pass(raw)
	}
	through, ok := c.agg.CheckpointThrough()
	if c.resumed && (!ok || through < c.through) {
		through, ok = c.through, true
	}
	if c.rec.HasThrough && (!ok || through < c.rec.Through) {
		through, ok = c.rec.Through, true
	}
	if !ok {
		// No request before it: it waits for no second.
		return c.st.Pass(raw)
	}
	c.rec.Through, c.rec.HasThrough = through, true
	line, err := c.enc.Checkpoint(&c.rec)
	if err != nil {
		return err
	}
	if len(c.held) == 0 && c.final(through) {
		return c.st.Emit(line, nil)
	}
	if n := len(c.held); n > 0 && c.held[n-1].through == through {
		// A later position whose lines are in the same seconds: it goes
		// out at the same time, and a restart from it re-reads less.
		c.held[n-1].line = append(c.held[n-1].line[:0], line...)
		return nil
	}
	if len(c.held) == maxHeld {
		// The oldest is superseded by every later one.
		c.held = append(c.held[:0], c.held[1:]...)
	}
	c.held = append(c.held, heldCheckpoint{through: through, line: append([]byte(nil), line...)})
	c.arm()
	return nil
}

// arm sets releaseAt for the oldest held checkpoint.
func (c *checkpoints) arm() {
	if len(c.held) > 0 {
		c.releaseAt = c.held[0].through + c.hold()
	}
}

// covered reports whether a request of second ts was counted by the run
// that a resume checkpoint continues, counting it as skipped if so.
func (c *checkpoints) covered(ts int64) bool {
	if c.resumed && ts <= c.through {
		c.skipped++
		return true
	}
	if !c.counted || ts > c.newest {
		c.newest = ts
	}
	c.counted = true
	return false
}

// final reports whether the seconds up to through are out, made final by
// a request: one more than the hold beyond them. Seconds that went out
// because the input ended, or on the wall clock's word while it was
// silent, may still have requests to come after the position (a stopped
// or killed httpmon-parse had not written them yet), which a restart from
// the checkpoint would skip as counted; a request past the hold makes
// every request still to come of those seconds late, restart or not.
func (c *checkpoints) final(through int64) bool {
	last, ok := c.agg.Emitted()
	return ok && last >= through && c.counted && c.newest-c.hold() > through
}

// requested passes on the checkpoints that a counted request has made
// final.
func (c *checkpoints) requested() error {
	if len(c.held) == 0 || c.newest <= c.releaseAt {
		return nil
	}
	return c.release()
}

// release passes on the checkpoints whose seconds are all out and final:
// called after each summary, since a checkpoint's second ends an
// interval, and after each request while some are held.
func (c *checkpoints) release() error {
	n := 0
	for n < len(c.held) && c.final(c.held[n].through) {
		if err := c.st.Emit(c.held[n].line, nil); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		c.held = append(c.held[:0], c.held[n:]...)
	}
	c.arm()
	return nil
}
