// Package alert evaluates alert rules over the per-second ticks of
// httpmon-window, with the state machine of Prometheus alerting rules.
//
// A rule measures one metric over a sliding window: for every event-time
// second t, the counts of the seconds [t−W+1, t] give the metric's value
// v(t), and the rule's condition is "v(t) OP threshold". The alert is
// inactive, pending (the condition holds, but has not held for the rule's
// "for" duration yet), or firing. Only two transitions are announced:
// firing, at the first second the condition has held for "for" seconds, and
// resolved, at the first second it has not held for "keep_firing_for"
// seconds. A pending alert whose condition clears goes back to inactive
// without a word.
//
// Time is the ticks' own event time, never the wall clock, so replays give
// the same answer as the live run; seconds missing from the tick stream
// count as seconds without requests, which is what lets an alert resolve
// when traffic stops.
package alert
