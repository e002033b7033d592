package event

import "fmt"

// KindRule is the record httpmon-alert writes for each rule in force,
// before its first output and again whenever its rules change, so that
// later stages learn the rules from the stream rather than assume the
// defaults.
const KindRule = "rule"

// Rule is one alert rule as httpmon-alert announces it. Byte-slice fields
// alias the buffer the record was decoded from.
type Rule struct {
	Name []byte
	// Expr is the rule in the syntax of --rule, after its name: "hits/s >
	// 10 over 2m".
	Expr      []byte
	Metric    []byte  // "hits/s", "5xx_ratio", …
	Op        []byte  // ">", ">=", "<" or "<="
	Threshold float64 // in the unit of Metric
	Window    int64   // seconds
	For       int64   // seconds
	// KeepFiringFor is in seconds.
	KeepFiringFor int64
	// MinRequests applies to ratio metrics only; HasMinRequests says
	// whether the record carries it.
	MinRequests    int64
	HasMinRequests bool
	// Labels are those of the rule's alerts: the section and source it
	// selects and its configured labels, sorted by name.
	Labels []Label
	// Annotations are the rule's texts for people, sorted by name.
	Annotations []Label
	// Removed marks a rule taken out of force by a reload of the rules
	// file: the record repeats its last definition so that consumers can
	// forget it by name.
	Removed bool
}

// Selects reports whether the rule counts the requests of one section or
// source, which its labels "section" and "source" name, rather than all.
func (r *Rule) Selects() bool {
	for _, l := range r.Labels {
		if string(l.Name) == "section" || string(l.Name) == "source" {
			return true
		}
	}
	return false
}

// Rule encodes r as a "rule" line.
func (e *Encoder) Rule(r *Rule) ([]byte, error) {
	e.begin(KindRule)
	e.str("name", r.Name)
	e.str("expr", r.Expr)
	e.str("metric", r.Metric)
	e.str("op", r.Op)
	e.float("threshold", r.Threshold)
	e.int("window", r.Window)
	e.int("for", r.For)
	e.int("keep_firing_for", r.KeepFiringFor)
	if r.HasMinRequests {
		e.int("min_requests", r.MinRequests)
	}
	pairObject(e, "labels", r.Labels)
	pairObject(e, "annotations", r.Annotations)
	if r.Removed {
		e.field("removed")
		e.s.WriteTrue()
	}
	return e.end()
}

// Rule decodes a "rule" line into r.
func (d *Decoder) Rule(line []byte, r *Rule) error {
	*r = Rule{Labels: r.Labels[:0], Annotations: r.Annotations[:0]}
	hasWindow := false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "name":
			r.Name, err = d.str(f)
		case "expr":
			r.Expr, err = d.str(f)
		case "metric":
			r.Metric, err = d.str(f)
		case "op":
			r.Op, err = d.str(f)
		case "threshold":
			r.Threshold, _, err = d.num(f)
		case "window":
			r.Window, err = d.count(f)
			hasWindow = true
		case "for":
			r.For, err = d.count(f)
		case "keep_firing_for":
			r.KeepFiringFor, err = d.count(f)
		case "min_requests":
			r.MinRequests, err = d.count(f)
			r.HasMinRequests = true
		case "labels":
			r.Labels, err = pairs(d, f, r.Labels[:0])
		case "annotations":
			r.Annotations, err = pairs(d, f, r.Annotations[:0])
		case "removed":
			r.Removed, err = d.bool(f)
		default:
			d.it.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case len(r.Name) == 0:
		return missing("name")
	case len(r.Metric) == 0:
		return missing("metric")
	case !hasWindow || r.Window < 1:
		return fmt.Errorf(`field "window": want a number of seconds, at least 1`)
	}
	switch string(r.Op) {
	case ">", ">=", "<", "<=":
	default:
		return fmt.Errorf(`field "op": want ">", ">=", "<" or "<="`)
	}
	return nil
}
