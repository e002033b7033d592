package alertcmd

import (
	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
)

// ruleRecords encodes one "rule" record per rule in force, in rule order,
// so that the stages after this one (the dashboard above all) learn the
// thresholds and windows from the stream instead of assuming the defaults.
// They are written before the first output, and again when the rules
// change.
func ruleRecords(enc *event.Encoder, eng *alert.Engine) ([][]byte, error) {
	var out [][]byte
	for _, m := range eng.Monitors() {
		b, err := ruleRecord(enc, m, false)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// ruleRecord encodes the rule record of one monitor's rule, marked
// removed or not, into a slice of its own.
func ruleRecord(enc *event.Encoder, m *alert.Monitor, removed bool) ([]byte, error) {
	r := m.Rule()
	rec := event.Rule{
		Name: []byte(r.Name), Expr: []byte(r.Expr()),
		Metric: []byte(r.Metric.String()), Op: []byte(r.Op.String()),
		Threshold: r.Threshold, Window: r.Window, For: r.For, KeepFiringFor: r.KeepFiringFor,
		Labels: m.Labels(), Removed: removed,
	}
	if r.Metric.Form == alert.FormRatio {
		rec.MinRequests, rec.HasMinRequests = r.MinRequests, true
	}
	for _, a := range r.Annotations {
		rec.Annotations = append(rec.Annotations, event.Label{Name: []byte(a.Name), Value: []byte(a.Value)})
	}
	b, err := enc.Rule(&rec)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}
