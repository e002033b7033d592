package window

// CheckpointThrough returns the second that a checkpoint arriving now
// covers: the last second of the interval that holds the newest second
// so far. Every request before the checkpoint is in a second up to it,
// and once that second's tick is out (Emitted), so is the summary of its
// interval, whole. Aligning to intervals rather than to the newest second
// is what keeps summaries exact across a restart: no interval is split
// between the records before a checkpoint and those a restart from it
// writes again. ok is false before the first request.
func (a *Aggregator) CheckpointThrough() (through int64, ok bool) {
	if !a.started {
		return 0, false
	}
	return a.intervalStart(a.intervalOf(a.max)+1) - 1, true
}

// Emitted returns the newest second whose tick is out; ok is false before
// the first tick. After a Flush it is the newest second of the input,
// whose interval's summary went out cut short.
func (a *Aggregator) Emitted() (last int64, ok bool) {
	return a.last, a.stats.Ticks > 0
}
