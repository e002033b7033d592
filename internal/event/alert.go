package event

import (
	"fmt"
)

// Alert encodes a as an "alert" line.
func (e *Encoder) Alert(a *Alert) ([]byte, error) {
	e.begin(KindAlert)
	e.str("name", a.Name)
	e.str("state", a.State)
	e.int("ts", a.TS)
	if a.UTCOffset != 0 {
		e.int("utc_offset", int64(a.UTCOffset))
	}
	e.int("hits", a.Hits)
	e.float("threshold", a.Threshold)
	e.int("window", a.Window)
	e.float("rate", a.Rate)
	if len(a.Metric) > 0 {
		e.str("metric", a.Metric)
		e.str("op", a.Op)
		e.float("value", a.Value)
		pairObject(e, "labels", a.Labels)
		e.int("for", a.For)
		e.int("keep_firing_for", a.KeepFiringFor)
		e.int("starts_at", a.StartsAt)
		if string(a.State) == StateResolved {
			e.int("ends_at", a.EndsAt)
		}
	}
	return e.end()
}

// Alert decodes an "alert" line into a.
func (d *Decoder) Alert(line []byte, a *Alert) error {
	*a = Alert{Labels: a.Labels[:0]}
	hasTS := false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "name":
			a.Name, err = d.str(f)
		case "state":
			a.State, err = d.str(f)
		case "ts":
			a.TS, hasTS, err = d.ts(f)
		case "utc_offset":
			a.UTCOffset, err = d.offset(f)
		case "hits":
			a.Hits, err = d.count(f)
		case "threshold":
			a.Threshold, _, err = d.num(f)
		case "window":
			a.Window, err = d.count(f)
		case "rate":
			a.Rate, _, err = d.num(f)
		case "metric":
			a.Metric, err = d.str(f)
		case "op":
			a.Op, err = d.str(f)
		case "value":
			a.Value, _, err = d.num(f)
		case "labels":
			a.Labels, err = pairs(d, f, a.Labels[:0])
		case "for":
			a.For, err = d.count(f)
		case "keep_firing_for":
			a.KeepFiringFor, err = d.count(f)
		case "starts_at":
			a.StartsAt, _, err = d.ts(f)
		case "ends_at":
			a.EndsAt, _, err = d.ts(f)
		default:
			d.it.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case !hasTS:
		return missing("ts")
	case len(a.Name) == 0:
		return missing("name")
	case string(a.State) != StateFiring && string(a.State) != StateResolved:
		return fmt.Errorf(`field "state": want %q or %q`, StateFiring, StateResolved)
	}
	return nil
}
